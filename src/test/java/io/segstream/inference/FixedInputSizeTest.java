package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.image.RgbImage;
import io.segstream.inference.FixedInputSize.Fit;
import io.segstream.inference.FixedInputSize.MaskScaling;
import org.junit.jupiter.api.Test;

/** Fitting frames into a fixed model input and bringing masks back, on frames small enough to check by hand. */
class FixedInputSizeTest {

  private static final float[] IDENTITY = new float[256];

  static {
    for (int b = 0; b < 256; b++) {
      IDENTITY[b] = b;
    }
  }

  /** A frame whose red channel is 200 left of column {@code edge} and 0 from it on. */
  private static RgbImage redLeftOf(int width, int height, int edge) {
    byte[] pixels = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < edge; x++) {
        pixels[(y * width + x) * 3] = (byte) 200;
      }
    }
    return new RgbImage(width, height, pixels);
  }

  @Test
  void stretchFillsTheInputOnEachAxis() {
    FixedInputSize size = new FixedInputSize(4, 2, Fit.STRETCH, MaskScaling.BILINEAR);
    float[] input = new float[size.inputValues()];
    // 8x6 frame, red in its left half: the left half of the 4x2 input is red, every row.
    size.fill(redLeftOf(8, 6, 4), IDENTITY, input, 0);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 4; x++) {
        assertEquals(x < 2 ? 200f : 0f, input[(y * 4 + x) * 3], 1e-4f, "red at " + x + "," + y);
      }
    }
  }

  @Test
  void letterboxKeepsTheAspectRatioAndPadsWithTheValueOfBlack() {
    FixedInputSize size = new FixedInputSize(4, 4, Fit.LETTERBOX, MaskScaling.BILINEAR);
    float[] byteToInput = new float[256];
    for (int b = 0; b < 256; b++) {
      byteToInput[b] = b / 255f - 0.5f;
    }
    float[] input = new float[size.inputValues()];
    // An all-white 8x4 frame scaled by 1/2 is 4x2: rows 1-2 hold it, rows 0 and 3 are bars.
    byte[] white = new byte[8 * 4 * 3];
    java.util.Arrays.fill(white, (byte) 255);
    size.fill(new RgbImage(8, 4, white), byteToInput, input, 0);
    for (int y = 0; y < 4; y++) {
      float expected = y == 0 || y == 3 ? -0.5f : 0.5f;
      for (int i = 0; i < 4 * 3; i++) {
        assertEquals(expected, input[y * 12 + i], 1e-6f, "row " + y);
      }
    }
  }

  /** Two-class scores on a 4x1 model output: person probability 0, 0.2, 0.8, 1 left to right. */
  private static float[] rampScores() {
    float[] person = {0f, 0.2f, 0.8f, 1f};
    float[] scores = new float[8];
    for (int x = 0; x < 4; x++) {
      scores[x * 2] = 1 - person[x];
      scores[x * 2 + 1] = person[x];
    }
    return scores;
  }

  @Test
  void bilinearPutsTheBorderWhereTheScoresCrossAndNearestWhereTheModelPixelsMeet() {
    // Frame 16x1 over a 4x1 output: each model pixel covers 4 frame pixels. The scores cross 0.5
    // halfway between model pixels 1 and 2, i.e. at frame x = 8: both agree there; they differ in
    // how the scores inside each block weigh in, which shows in the per-class means.
    Segmentation bilinear = new FixedInputSize(4, 1, Fit.STRETCH, MaskScaling.BILINEAR)
        .toFrame(rampScores(), 0, 2, 16, 1, 0);
    Segmentation nearest = new FixedInputSize(4, 1, Fit.STRETCH, MaskScaling.NEAREST)
        .toFrame(rampScores(), 0, 2, 16, 1, 0);
    byte[] expected = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    assertArrayEquals(expected, bilinear.classIds());
    assertArrayEquals(expected, nearest.classIds());
    assertEquals(0.5f, nearest.classScores()[1], 1e-6f);
    assertEquals(0.5f, bilinear.classScores()[1], 1e-6f);

    // An asymmetric ramp: person 0, 0, 0.6, 1. Nearest switches at frame x = 8, where model pixel 2
    // begins; bilinear where the interpolated score crosses 0.5:
    float[] skewed = {1f, 0f, 1f, 0f, 0.4f, 0.6f, 0f, 1f};
    byte[] bilinearSkewed = new FixedInputSize(4, 1, Fit.STRETCH, MaskScaling.BILINEAR)
        .toFrame(skewed, 0, 2, 16, 1, 0).classIds();
    byte[] nearestSkewed = new FixedInputSize(4, 1, Fit.STRETCH, MaskScaling.NEAREST)
        .toFrame(skewed, 0, 2, 16, 1, 0).classIds();
    // Frame x maps to model x (x + 0.5) / 4 - 0.5: x = 9 -> 1.875, person 0.6 * 0.875 = 0.525 > 0.5;
    // x = 8 -> 1.625, person 0.375: the border moves one frame pixel right of nearest's block edge.
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, bilinearSkewed);
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, nearestSkewed);
  }

  @Test
  void letterboxBarsNeverReachTheMask() {
    // Model 4x4, frame 8x4: the frame is rows 1-2. The bars' scores say "person"; the frame's rows
    // say background: the mask must be all background.
    float[] scores = new float[4 * 4 * 2];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        boolean bar = y == 0 || y == 3;
        scores[(y * 4 + x) * 2] = bar ? 0f : 1f;
        scores[(y * 4 + x) * 2 + 1] = bar ? 1f : 0f;
      }
    }
    for (MaskScaling scaling : MaskScaling.values()) {
      Segmentation mask = new FixedInputSize(4, 4, Fit.LETTERBOX, scaling).toFrame(scores, 0, 2, 8, 4, 0);
      assertArrayEquals(new byte[32], mask.classIds(), scaling.name());
      assertEquals(0f, mask.classScores()[1], 1e-6f, scaling.name());
    }
  }
}
