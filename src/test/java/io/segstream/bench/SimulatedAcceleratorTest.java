package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SimulatedAcceleratorTest {

  private static final ModelInfo MODEL = new ModelInfo("sim", "1", List.of("background", "object", "other"));
  /** t(b) = 40 ms + b x 10 ms per 100x100 image. */
  private static final SimulatedAccelerator.Timing TIMING =
      new SimulatedAccelerator.Timing(Duration.ofMillis(40), Duration.ofMillis(10), 100, 100);
  private static final long MS = 1_000_000;

  private static List<RgbImage> images(int count, int width, int height) {
    List<RgbImage> images = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      images.add(new RgbImage(width, height, new byte[width * height * 3]));
    }
    return images;
  }

  @Test
  void theDefaultsComeFromPeopleSemSegNetOnAnRtx4060Ti() {
    SimulatedAccelerator.Timing timing = SimulatedAccelerator.Timing.DEFAULT;
    // 827 fps at 960x544: 1.209 ms per image; t0 2 ms.
    assertEquals(1_209_190, timing.perImageAtReference().toNanos());
    assertEquals(2 * MS + 1_209_190, timing.batchNanos(1, 960 * 544));
    // k scales with pixels: a 128x128 image is 16384 / 522240 of the reference.
    assertEquals(2 * MS + Math.round(32 * 1_209_190 * 16384.0 / 522240), timing.batchNanos(32, 128 * 128));
  }

  @Test
  void aBatchTakesT0PlusKTimesBScaledByPixels() throws Exception {
    SimulatedAccelerator device = new SimulatedAccelerator(MODEL, TIMING);
    long start = System.nanoTime();
    List<Segmentation> results = device.runBatch(images(4, 100, 100));
    long took = System.nanoTime() - start;
    assertTrue(took >= 80 * MS, "t(4) = 40 + 4 x 10 = 80 ms; took " + took / 1e6 + " ms");
    assertTrue(took < 80 * MS + 2_000 * MS, "no more than scheduling delay on top; took " + took / 1e6 + " ms");
    assertEquals(4, results.size());
    assertEquals(20 * MS, results.get(0).computeNanos(), "each image's share of the batch");

    // Half the width and height: a quarter of the pixels, a quarter of k.
    start = System.nanoTime();
    results = device.runBatch(images(4, 50, 50));
    took = System.nanoTime() - start;
    assertTrue(took >= 50 * MS, "t(4) = 40 + 4 x 2.5 = 50 ms; took " + took / 1e6 + " ms");
    assertEquals(50 * MS / 4, results.get(0).computeNanos());
  }

  @Test
  void masksHaveTheImageSizeAndTheModelsLabels() throws Exception {
    SimulatedAccelerator device = new SimulatedAccelerator(MODEL, new SimulatedAccelerator.Timing(
        Duration.ZERO, Duration.ZERO, 1, 1));
    Segmentation mask = device.runBatch(images(1, 40, 20)).get(0);
    assertEquals(40, mask.width());
    assertEquals(20, mask.height());
    assertEquals(0, mask.classAt(0, 0), "background in the corner");
    assertEquals(1, mask.classAt(20, 10), "the object in the middle");
    assertEquals(3, mask.classScores().length, "one score per label");
    assertEquals(1.0, mask.classScores()[0] + mask.classScores()[1], 1e-6);
    assertThrows(SegmentationException.class,
        () -> device.runBatch(List.of(images(1, 40, 20).get(0), images(1, 20, 40).get(0))),
        "one batch, one tensor: one size");
  }

  @Test
  void theCallingThreadBurnsNoCpuWhileTheBatchRuns() throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    assertTrue(threads.isCurrentThreadCpuTimeSupported(), "the JVM measures thread CPU time");
    SimulatedAccelerator device = new SimulatedAccelerator(MODEL, new SimulatedAccelerator.Timing(
        Duration.ofMillis(300), Duration.ZERO, 1, 1));
    List<RgbImage> batch = images(8, 64, 64);
    device.runBatch(batch); // first call builds the cached mask
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    device.runBatch(batch);
    long wall = System.nanoTime() - start;
    long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
    assertTrue(wall >= 300 * MS, "took " + wall / 1e6 + " ms");
    // A spinning wait would cost the whole 300 ms; parking costs a few wake-ups and the mask copies.
    assertTrue(cpu < 30 * MS, "CPU " + cpu / 1e6 + " ms of " + wall / 1e6 + " ms wall");
  }

  @Test
  void concurrentBatchesQueueOnTheOneDevice() throws Exception {
    SimulatedAccelerator device = new SimulatedAccelerator(MODEL, TIMING);
    int callers = 3;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Long> ends = Collections.synchronizedList(new ArrayList<>());
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        calls.add(pool.submit(() -> {
          go.await();
          device.runBatch(images(2, 100, 100)); // t(2) = 60 ms
          ends.add(System.nanoTime());
          return null;
        }));
      }
      long start = System.nanoTime();
      go.countDown();
      for (Future<?> call : calls) {
        call.get(30, TimeUnit.SECONDS);
      }
      long last = Collections.max(ends);
      long first = Collections.min(ends);
      // In parallel all three would end after 60 ms; one at a time the last ends after 180 ms, and
      // the first no earlier than 60 ms.
      assertTrue(last - start >= 180 * MS, "last batch ended after " + (last - start) / 1e6 + " ms");
      assertTrue(first - start >= 60 * MS, "first batch ended after " + (first - start) / 1e6 + " ms");
      assertEquals(180 * MS, device.busyNanos(), "the device was busy for exactly three batches");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void busyTimeCountsOnlyTheDeviceTimeElapsed() throws Exception {
    SimulatedAccelerator device = new SimulatedAccelerator(MODEL, new SimulatedAccelerator.Timing(
        Duration.ofSeconds(2), Duration.ZERO, 1, 1));
    assertEquals(0, device.busyNanos(), "idle so far");
    long start = System.nanoTime();
    Thread caller = new Thread(() -> {
      try {
        device.runBatch(images(1, 8, 8));
      } catch (SegmentationException e) {
        throw new AssertionError(e);
      }
    });
    caller.start();
    long deadline = System.nanoTime() + 10_000 * MS;
    long busy = 0;
    while (busy == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
      busy = device.busyNanos();
    }
    long elapsed = System.nanoTime() - start;
    assertTrue(busy > 0 && busy <= elapsed, "mid-batch, busy " + busy / 1e6 + " ms of " + elapsed / 1e6 + " ms");
    caller.join(30_000);
    // After the batch and an idle stretch of at least as long: busy half the time or less.
    Thread.sleep(2_000);
    long wall = System.nanoTime() - start;
    assertEquals(2_000 * MS, device.busyNanos());
    double fraction = device.busyNanos() / (double) wall;
    assertTrue(fraction > 0 && fraction <= 0.5, "busy fraction " + fraction);
  }
}
