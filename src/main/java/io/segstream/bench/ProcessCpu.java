package io.segstream.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

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

  /**
   * CPU nanoseconds another process has used so far (all its threads, kernel time included), such as
   * the bench's broker in a JVM of its own; -1 where it is gone or the OS cannot tell. The OS counts
   * it in clock ticks (10 ms on Linux), so read it over phases of a second or more.
   */
  public static long nanosOf(long pid) {
    return ProcessHandle.of(pid).flatMap(process -> process.info().totalCpuDuration()).map(Duration::toNanos)
        .orElse(-1L);
  }

  /** Milliseconds the JIT compilers have spent so far (their threads' time); -1 where unknown. */
  public static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  /**
   * The whole machine's CPU time so far, in clock ticks over all cores (Linux {@code /proc/stat}):
   * everything that competes for the cores, the broker and other programs included.
   */
  public record MachineTicks(long busy, long total) {

    /** Busy share of the cores from {@code earlier} to this reading; NaN where either is unknown. */
    public double busySince(MachineTicks earlier) {
      return earlier == null || total <= earlier.total ? Double.NaN
          : (busy - earlier.busy) / (double) (total - earlier.total);
    }
  }

  /** The machine's CPU ticks now; null where {@code /proc/stat} cannot be read (not Linux). */
  public static MachineTicks machineTicks() {
    try {
      // First line: "cpu  user nice system idle iowait irq softirq steal ..."; idle and iowait are not busy.
      String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i <= 8 && i < fields.length; i++) {
        total += Long.parseLong(fields[i]);
      }
      return new MachineTicks(total - Long.parseLong(fields[4]) - Long.parseLong(fields[5]), total);
    } catch (Exception unreadable) {
      return null;
    }
  }

  /**
   * Heap bytes each live thread has allocated so far, by thread id; empty where the JVM cannot tell.
   * Per frame, this is the garbage collector's load: copies and temporary objects that CPU time per
   * frame pays for only indirectly.
   */
  public static Map<Long, Long> allocatedBytesByThread() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
        || !threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
      return Map.of();
    }
    long[] ids = threads.getAllThreadIds();
    long[] bytes = threads.getThreadAllocatedBytes(ids);
    Map<Long, Long> byThread = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] >= 0) {
        byThread.put(ids[i], bytes[i]);
      }
    }
    return byThread;
  }

  /**
   * Kilobytes allocated per item from one {@link #allocatedBytesByThread} reading to a later one, by the
   * threads alive at the later one (those started meanwhile from zero). Threads that ended meanwhile
   * drop out, so this is a lower bound; NaN where unknown.
   */
  public static double kbPerItem(Map<Long, Long> from, Map<Long, Long> to, long items) {
    if (from.isEmpty() || to.isEmpty() || items <= 0) {
      return Double.NaN;
    }
    long bytes = 0;
    for (Map.Entry<Long, Long> thread : to.entrySet()) {
      bytes += Math.max(0, thread.getValue() - from.getOrDefault(thread.getKey(), 0L));
    }
    return bytes / 1024.0 / items;
  }

  /** Milliseconds of CPU per item since {@code startNanos}; NaN where unknown. */
  public static double msPerItem(long startNanos, long items) {
    long now = nanos();
    return startNanos < 0 || now < 0 || items <= 0 ? Double.NaN : (now - startNanos) / 1e6 / items;
  }
}
