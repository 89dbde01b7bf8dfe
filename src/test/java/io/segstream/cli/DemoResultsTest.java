package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.SegmentationMask;
import io.segstream.image.MaskCodec;
import io.segstream.testing.Masks;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DemoResultsTest {

  /**
   * Ground truth may hold any class id a byte can: a class above 127 (and Pascal VOC's void, 255) is
   * a negative Java byte, which the demo's own confusion matrix once used as an index.
   */
  @Test
  void scoresClassIdsAbove127WithTheFourFcnMetrics() throws Exception {
    byte[] truth = {0, 1, (byte) 200, (byte) 200};
    byte[] predicted = {0, 1, (byte) 200, 0};
    SegmentationMask mask = Masks.of("cam", 1, 2, 2, predicted);
    DemoResults results = new DemoResults("test frames", "test");

    results.add(mask, MaskCodec.decode(mask), truth, Instant.now());

    String summary = results.summary(1, 1.0);
    // IoU: class 0 1/2, class 1 1/1, class 200 1/2; accuracy per class 1, 1, 1/2.
    assertTrue(summary.contains("pixel accuracy:     0.7500"), summary);
    assertTrue(summary.contains("mean accuracy:      0.8333"), summary);
    assertTrue(summary.contains("mean IoU:           0.6667"), summary);
    assertTrue(summary.contains("f.w. IoU:           0.6250"), summary);
  }

  @Test
  void framesWithoutGroundTruthAreNotScored() throws Exception {
    SegmentationMask mask = Masks.of("cam", 1, 2, 2, new byte[4]);
    DemoResults results = new DemoResults("a video", "test");

    results.add(mask, MaskCodec.decode(mask), null, Instant.now());

    String summary = results.summary(1, 1.0);
    assertTrue(summary.contains("scores:             none"), summary);
    assertTrue(!summary.contains("mean IoU"), summary);
  }
}
