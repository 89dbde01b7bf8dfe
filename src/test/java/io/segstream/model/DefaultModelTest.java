package io.segstream.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The model shipped in models/fcn-default meets its bar on held-out scenes, loaded through DJL. */
@Tag("slow")
class DefaultModelTest {

  private static final Path MODEL =
      Paths.get(System.getProperty("segstream.repo.dir", "."), "models", "fcn-default");

  /**
   * The evaluation of models/fcn-default/MODEL_CARD.md (200 held-out scenes, 96x96, seeds from
   * 1,000,000), which reports mean IoU 0.9227, pixel accuracy 0.9849 and triangle, the weakest class,
   * at 0.8543. The bars sit about 0.02 below those: a retrained or damaged model that loses a few
   * points fails, while the only variation left (the scenes are seeded), floating-point differences
   * between CPUs, stays far below that.
   */
  @Test
  void shippedModelKeepsTheMeanIouOfItsModelCardOnHeldOutScenes() throws IOException {
    assertTrue(Files.isRegularFile(MODEL.resolve("saved_model.pb")), "no model in " + MODEL);
    assertTrue(Files.isRegularFile(MODEL.resolve(ModelExport.CONFIG_FILE)), "no model config in " + MODEL);
    Evaluation evaluation = HeldOutEvaluation.run(MODEL, new SyntheticScenes(), 200, 96, 1_000_000);
    System.out.print(evaluation.table());
    assertTrue(evaluation.meanIou() >= 0.90, "mean IoU " + evaluation.meanIou() + "\n" + evaluation.table());
    assertTrue(evaluation.pixelAccuracy() >= 0.965, "pixel accuracy " + evaluation.pixelAccuracy());
    for (int c = 0; c < SyntheticScenes.CLASS_LABELS.size(); c++) {
      assertTrue(evaluation.iou(c) >= 0.83,
          SyntheticScenes.CLASS_LABELS.get(c) + " IoU " + evaluation.iou(c) + "\n" + evaluation.table());
    }
  }
}
