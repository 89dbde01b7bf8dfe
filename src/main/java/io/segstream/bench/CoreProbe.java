package io.segstream.bench;

import io.segstream.image.MaskCodec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * How fast one core runs segstream's own per-frame code right now: the thread CPU time of a fixed
 * piece of it, PNG-encoding {@value #MASKS} masks of {@value #SIZE}x{@value #SIZE}. The same code's
 * CPU per frame spreads 0.11-0.21 ms between runs on this project's 2-core VMs (docs/benchmarks.md,
 * rounds 6 and 7); measured just before each scenario, this tells whether the core itself ran slower
 * then (its clock, a neighbour on the host, the JIT's code for this path).
 */
final class CoreProbe {

  static final int MASKS = 400;
  static final int SIZE = 256;
  /** Rounds before the measured one, so that the JIT has compiled the encoder. */
  private static final int WARM_UP_ROUNDS = 3;

  private CoreProbe() {}

  /** CPU milliseconds of the measured round; NaN where the JVM cannot measure thread CPU time. */
  static double millis() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isCurrentThreadCpuTimeSupported()) {
      return Double.NaN;
    }
    byte[] mask = SimulatedAccelerator.centredEllipse(SIZE, SIZE, (byte) 1);
    for (int i = 0; i < WARM_UP_ROUNDS; i++) {
      round(mask);
    }
    long start = threads.getCurrentThreadCpuTime();
    round(mask);
    return (threads.getCurrentThreadCpuTime() - start) / 1e6;
  }

  private static void round(byte[] mask) {
    long bytes = 0;
    for (int i = 0; i < MASKS; i++) {
      bytes += MaskCodec.encodePng(SIZE, SIZE, mask).length;
    }
    if (bytes <= 0) {
      throw new IllegalStateException("the probe's masks encoded to nothing");
    }
  }
}
