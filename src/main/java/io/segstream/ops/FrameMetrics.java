package io.segstream.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What happened to each frame the topology read.
 *
 * <ul>
 *   <li>{@code segstream.frames} (outcome=segmented|dead_lettered|skipped): frames in = the sum;
 *   <li>{@code segstream.frame.latency}: capture timestamp to mask emitted, per segmented frame;
 *   <li>{@code segstream.frames.in.flight}: frames handed to the per-frame work whose results are not
 *       forwarded yet, over all tasks ({@code max.frames.in.flight} bounds each task's share);
 *   <li>{@code segstream.window.wait}: each time a stream thread found its task's window full and
 *       waited for the oldest frame (backpressure), and how long. Waits that add up to a large share
 *       of the time mean the window, not the model, sets the pace: raise {@code max.frames.in.flight}
 *       or the partitions.
 * </ul>
 */
public final class FrameMetrics {

  public static final String FRAMES = "segstream.frames";
  public static final String LATENCY = "segstream.frame.latency";
  public static final String IN_FLIGHT = "segstream.frames.in.flight";
  public static final String WINDOW_WAIT = "segstream.window.wait";

  private final Counter segmented;
  private final Counter deadLettered;
  private final Counter skipped;
  private final Timer latency;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Timer windowWait;

  public FrameMetrics(MeterRegistry registry) {
    segmented = outcome(registry, "segmented");
    deadLettered = outcome(registry, "dead_lettered");
    skipped = outcome(registry, "skipped");
    latency =
        Timer.builder(LATENCY)
            .description("Capture timestamp to mask emitted")
            .publishPercentiles(0.5, 0.95, 0.99)
            .register(registry);
    Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get)
        .description("Frames handed to the per-frame work whose results are not forwarded yet")
        .register(registry);
    windowWait = Timer.builder(WINDOW_WAIT)
        .description("Stream-thread waits for room in a task's full window of frames in flight")
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

  /** {@code frames} frames entered (positive) or left (negative) the per-frame work. */
  public void inFlight(int frames) {
    inFlight.addAndGet(frames);
  }

  /** A stream thread waited {@code nanos} for room in its task's window of frames in flight. */
  public void windowWaited(long nanos) {
    windowWait.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void deadLettered() {
    deadLettered.increment();
  }

  public void skipped() {
    skipped.increment();
  }
}
