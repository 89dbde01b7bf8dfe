package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ModelCallWindowTest {

  private static final ModelInfo MODEL = new ModelInfo("sim", "1", List.of("background", "object"));
  /** t(1) = 5 ms + 1 ms at 32x32. */
  private static final SimulatedAccelerator.Timing TIMING =
      new SimulatedAccelerator.Timing(Duration.ofMillis(5), Duration.ofMillis(1), 32, 32);
  private static final RgbImage IMAGE = new RgbImage(32, 32, new byte[32 * 32 * 3]);

  @Test
  void countsOnlyTheFramesHandedOverAfterTheSkippedOnesAndNeverBeatsTheDevice() throws Exception {
    AtomicInteger marks = new AtomicInteger();
    SimulatedAccelerator device = new SimulatedAccelerator(MODEL, TIMING);
    // When each call entered and left the device, in order of entry.
    List<long[]> calls = Collections.synchronizedList(new ArrayList<>());
    Segmenter recording = new Segmenter() {
      @Override
      public ModelInfo modelInfo() {
        return MODEL;
      }

      @Override
      public Segmentation segment(RgbImage image) throws SegmentationException {
        long[] call = {System.nanoTime(), 0};
        calls.add(call);
        Segmentation result = device.segment(image);
        call[1] = System.nanoTime();
        return result;
      }
    };
    ModelCallWindow<Integer> window = new ModelCallWindow<>(recording, marks::incrementAndGet);
    window.segment(IMAGE);
    assertNull(window.window(), "nothing is measured before measureFrom");

    window.measureFrom(4);
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<Segmentation>> results = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        // Four callers at once: the device still runs one call at a time.
        results.add(CompletableFuture.supplyAsync(() -> window.segmentAsync(IMAGE), callers)
            .thenCompose(result -> result));
      }
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).join();
    } finally {
      callers.shutdownNow();
    }

    ModelCallWindow.Window<Integer> measured = window.window();
    assertEquals(20, measured.frames(), measured.toString());
    assertEquals(1, measured.start(), "the start is marked once");
    assertEquals(1, marks.get());
    // The 20 measured calls ran inside the window, from their entry to their return.
    long inside = calls.stream()
        .filter(call -> measured.startNanos() <= call[0] && call[1] <= measured.endNanos()).count();
    assertTrue(inside >= 20, inside + " calls inside the window");
    // 20 calls of t(1) = 6 ms each, one after another, all inside the window: at least 120 ms.
    assertTrue(measured.endNanos() - measured.startNanos() >= 20 * 6_000_000L, measured.toString());
    assertTrue(measured.framesPerSecond() <= 1 / 0.006, measured.toString());
  }
}
