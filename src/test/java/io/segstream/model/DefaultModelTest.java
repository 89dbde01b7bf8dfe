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

  @Test
  void shippedModelReachesMeanIouOfPointEightOnHeldOutScenes() throws IOException {
    assertTrue(Files.isRegularFile(MODEL.resolve("saved_model.pb")), "no model in " + MODEL);
    assertTrue(Files.isRegularFile(MODEL.resolve(ModelExport.CONFIG_FILE)), "no model config in " + MODEL);
    Evaluation evaluation = HeldOutEvaluation.run(MODEL, new SyntheticScenes(), 200, 96, 1_000_000);
    System.out.print(evaluation.table());
    assertTrue(evaluation.meanIou() >= 0.80, "mean IoU " + evaluation.meanIou() + "\n" + evaluation.table());
    assertTrue(evaluation.pixelAccuracy() >= 0.90, "pixel accuracy " + evaluation.pixelAccuracy());
  }
}
