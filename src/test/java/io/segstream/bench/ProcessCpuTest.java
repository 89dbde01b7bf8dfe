package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {

  @Test
  void allocationPerItemCountsWhatLiveThreadsAllocatedMeanwhile() {
    Map<Long, Long> before = ProcessCpu.allocatedBytesByThread();
    assertFalse(before.isEmpty(), "HotSpot counts each thread's allocation");
    byte[][] kept = new byte[100][];
    for (int i = 0; i < kept.length; i++) {
      kept[i] = new byte[10 * 1024];
    }
    double kbPerItem = ProcessCpu.kbPerItem(before, ProcessCpu.allocatedBytesByThread(), 10);

    // 100 arrays of 10 KB over 10 items; other threads of the test JVM may add a little.
    assertTrue(kbPerItem >= 100 && kbPerItem < 150, kbPerItem + " KB per item");
    assertEquals(10 * 1024, kept[99].length);
  }

  @Test
  void anotherProcessesCpuIsReadUntilItIsGone() throws Exception {
    // A shell that counts for a while: its CPU time grows; once it has been reaped, it is unknown.
    Process busy = new ProcessBuilder("sh", "-c", "i=0; while [ $i -lt 3000000 ]; do i=$((i+1)); done; sleep 30").start();
    try {
      long first = ProcessCpu.nanosOf(busy.pid());
      assertTrue(first >= 0, "readable while it runs: " + first);
      long later = first;
      for (int i = 0; i < 200 && later <= first; i++) {
        Thread.sleep(50);
        later = ProcessCpu.nanosOf(busy.pid());
      }
      assertTrue(later > first, "its CPU time grows: " + first + " -> " + later);
    } finally {
      busy.destroyForcibly().waitFor();
    }
    assertEquals(-1, ProcessCpu.nanosOf(busy.pid()));
  }

  @Test
  void aThreadStartedMeanwhileCountsFromZeroAndUnknownsAreNaN() {
    Map<Long, Long> before = Map.of(1L, 1_000L);
    assertEquals(3.0, ProcessCpu.kbPerItem(before, Map.of(1L, 1_000L + 1024, 2L, 2048L), 1), 1e-9);
    assertTrue(Double.isNaN(ProcessCpu.kbPerItem(Map.of(), Map.of(2L, 2048L), 1)));
    assertTrue(Double.isNaN(ProcessCpu.kbPerItem(before, before, 0)));
  }
}
