package io.segstream.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * What happened to each frame the topology read.
 *
 * <ul>
 *   <li>{@code segstream.frames} (outcome=segmented|dead_lettered|skipped): frames in = the sum;
 *   <li>{@code segstream.frame.latency}: capture timestamp to mask emitted, per segmented frame.
 * </ul>
 */
public final class FrameMetrics {

  public static final String FRAMES = "segstream.frames";
  public static final String LATENCY = "segstream.frame.latency";

  private final Counter segmented;
  private final Counter deadLettered;
  private final Counter skipped;
  private final Timer latency;

  public FrameMetrics(MeterRegistry registry) {
    segmented = outcome(registry, "segmented");
    deadLettered = outcome(registry, "dead_lettered");
    skipped = outcome(registry, "skipped");
    latency =
        Timer.builder(LATENCY)
            .description("Capture timestamp to mask emitted")
            .publishPercentiles(0.5, 0.95, 0.99)
            .register(registry);
  }

  /** Metrics kept in memory only, for tests and tools that do not export them. */
  public static FrameMetrics unexported() {
    return new FrameMetrics(new SimpleMeterRegistry());
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder(FRAMES).description("Frames read, by what became of them")
        .tag("outcome", outcome).register(registry);
  }

  public void segmented(long captureMillis, long nowMillis) {
    segmented.increment();
    latency.record(Duration.ofMillis(Math.max(0, nowMillis - captureMillis)));
  }

  public void deadLettered() {
    deadLettered.increment();
  }

  public void skipped() {
    skipped.increment();
  }
}
