package io.segstream.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * CPU time used by this process, all threads (native TensorFlow threads included). Unlike wall
 * time, CPU time per frame hardly changes when other programs compete for the cores. Part of it is
 * JIT compilation, a startup cost that a short benchmark of a large program (broker, Kafka clients
 * and Streams in one JVM) keeps paying for minutes.
 */
public final class ProcessCpu {

  private ProcessCpu() {}

  /** CPU nanoseconds since the process started; -1 where the JVM cannot tell. */
  public static long nanos() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
  }

  /** Milliseconds the JIT compilers have spent so far (their threads' time); -1 where unknown. */
  public static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  /** Milliseconds of CPU per item since {@code startNanos}; NaN where unknown. */
  public static double msPerItem(long startNanos, long items) {
    long now = nanos();
    return startNanos < 0 || now < 0 || items <= 0 ? Double.NaN : (now - startNanos) / 1e6 / items;
  }
}
