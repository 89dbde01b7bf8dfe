package io.segstream.model.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.RgbImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {

  private static final int WIDTH = 60;
  private static final int HEIGHT = 40;

  /**
   * A fixture whose pixels say where they come from: red = 4x, green = 4y, and whose mask holds the
   * source column x (row y in {@link #rowMask}), so any misalignment between image and mask shows.
   */
  private static LabeledImage fixture(boolean rowMask) {
    byte[] pixels = new byte[WIDTH * HEIGHT * 3];
    byte[] truth = new byte[WIDTH * HEIGHT];
    for (int y = 0; y < HEIGHT; y++) {
      for (int x = 0; x < WIDTH; x++) {
        int i = y * WIDTH + x;
        pixels[i * 3] = (byte) (4 * x);
        pixels[i * 3 + 1] = (byte) (4 * y);
        pixels[i * 3 + 2] = 7;
        truth[i] = (byte) (rowMask ? y : x);
      }
    }
    return new LabeledImage("fixture", new RgbImage(WIDTH, HEIGHT, pixels), truth);
  }

  @Test
  void cropAndFlipKeepImageAndMaskAlignedPixelForPixel() {
    Augmentation augmentation = new Augmentation(32, 1, 1, true);
    int flipped = 0;
    int straight = 0;
    for (long seed = 0; seed < 20; seed++) {
      for (boolean rowMask : new boolean[] {false, true}) {
        LabeledImage out = augmentation.apply(fixture(rowMask), new SplittableRandom(seed));
        assertEquals(32, out.image().width());
        assertEquals(32, out.image().height());
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            int sourceX = out.image().channel(x, y, 0) / 4;
            int sourceY = out.image().channel(x, y, 1) / 4;
            int mask = out.truth()[y * 32 + x] & 0xff;
            assertEquals(rowMask ? sourceY : sourceX, mask, "seed " + seed + " at " + x + "," + y);
          }
        }
        // Scale 1: a crop is a contiguous window, mirrored or not.
        int step = out.image().channel(1, 0, 0) / 4 - out.image().channel(0, 0, 0) / 4;
        assertEquals(1, Math.abs(step), "neighbours stay neighbours");
        if (step < 0) {
          flipped++;
        } else {
          straight++;
        }
        int rowStep = out.image().channel(0, 1, 1) / 4 - out.image().channel(0, 0, 1) / 4;
        assertEquals(1, rowStep, "rows are never flipped");
      }
    }
    assertTrue(flipped > 5 && straight > 5, "flips about half: " + flipped + " of " + (flipped + straight));
  }

  @Test
  void scaledCropsKeepTheMaskOnItsPixelsAndPadWithVoid() {
    Augmentation augmentation = new Augmentation(48, 0.5, 2.0, true);
    int padded = 0;
    for (long seed = 0; seed < 30; seed++) {
      LabeledImage out = augmentation.apply(fixture(false), new SplittableRandom(seed));
      for (int y = 0; y < 48; y++) {
        for (int x = 0; x < 48; x++) {
          int mask = out.truth()[y * 48 + x] & 0xff;
          if (mask == LabeledDataset.VOID) {
            padded++;
            assertEquals(128, out.image().channel(x, y, 0), "padding is mid grey");
            continue;
          }
          // Bilinear image vs nearest mask: the image's source column is within a pixel of the mask's.
          double sourceX = out.image().channel(x, y, 0) / 4.0;
          assertTrue(Math.abs(sourceX - mask) <= 1.0, "seed " + seed + " at " + x + "," + y + ": image column "
              + sourceX + ", mask column " + mask);
        }
      }
    }
    assertTrue(padded > 0, "a 60x40 image scaled by 0.5 is padded to 48x48");
  }

  @Test
  void theSameRandomStateGivesTheSameCopy() {
    Augmentation augmentation = new Augmentation(32, 0.8, 1.2, true);
    LabeledImage a = augmentation.apply(fixture(false), new SplittableRandom(5));
    LabeledImage b = augmentation.apply(fixture(false), new SplittableRandom(5));
    assertEquals(java.util.Arrays.toString(a.truth()), java.util.Arrays.toString(b.truth()));
    assertEquals(java.util.Arrays.toString(a.image().pixels()), java.util.Arrays.toString(b.image().pixels()));
  }
}
