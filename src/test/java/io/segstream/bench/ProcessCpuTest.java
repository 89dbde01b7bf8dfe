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
  void aThreadStartedMeanwhileCountsFromZeroAndUnknownsAreNaN() {
    Map<Long, Long> before = Map.of(1L, 1_000L);
    assertEquals(3.0, ProcessCpu.kbPerItem(before, Map.of(1L, 1_000L + 1024, 2L, 2048L), 1), 1e-9);
    assertTrue(Double.isNaN(ProcessCpu.kbPerItem(Map.of(), Map.of(2L, 2048L), 1)));
    assertTrue(Double.isNaN(ProcessCpu.kbPerItem(before, before, 0)));
  }
}
