package io.segstream.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Says when a JIT warm-up may end: once the JIT compilers spent less than {@code share} of the wall
 * time since it was last asked (at least {@code window}; asked sooner, it waits for more). A
 * processor that runs for days has compiled its code, so that is the state a benchmark should
 * measure; on 2 cores a JVM holding Kafka clients, Streams, Avro and DJL was still compiling at
 * 20-40% of a core after 60 s of running the pipeline.
 */
final class JitSettling implements BooleanSupplier {

  private final long windowNanos;
  private final double share;
  private long windowStart = System.nanoTime();
  private long windowJitMillis = ProcessCpu.jitMillis();
  private double lastShare = Double.NaN;

  JitSettling(Duration window, double share) {
    this.windowNanos = window.toNanos();
    this.share = share;
  }

  /**
   * True once a whole window has passed with the JIT below the share; never where the JIT time is
   * unknown.
   */
  @Override
  public boolean getAsBoolean() {
    long now = System.nanoTime();
    if (now - windowStart < windowNanos) {
      return false;
    }
    long jit = ProcessCpu.jitMillis();
    if (jit < 0 || windowJitMillis < 0) {
      return false;
    }
    lastShare = (jit - windowJitMillis) * 1e6 / (now - windowStart);
    windowStart = now;
    windowJitMillis = jit;
    return lastShare < share;
  }

  /** The JIT's share of the last whole window; NaN before the first one ends. */
  double lastShare() {
    return lastShare;
  }
}
