package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ClassArea;
import io.segstream.inference.Segmentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskStatisticsTest {

  private static final List<String> LABELS = List.of("background", "person", "car", "sky");

  @Test
  void runsAcrossRowEndsAndSinglePixelsCountLikeEveryPixel() {
    // Noise (runs of 1-3 pixels), a run reaching each row's end, and rows of one class.
    Random random = new Random(7);
    int width = 37;
    int height = 23;
    byte[] ids = new byte[width * height];
    for (int i = 0; i < ids.length; ) {
      int run = 1 + random.nextInt(y(i, width) % 5 == 0 ? width : 3);
      byte id = (byte) random.nextInt(LABELS.size());
      for (int k = 0; k < run && i < ids.length; k++) {
        ids[i++] = id;
      }
    }
    assertEquals(pixelByPixel(width, height, ids, LABELS), MaskStatistics.classAreas(new Segmentation(width, height, ids, null, 0), LABELS));
  }

  @Test
  void oneColumnAndOneRowMasks() {
    byte[] column = {0, 0, 1, 3, 3};
    assertEquals(pixelByPixel(1, 5, column, LABELS), MaskStatistics.classAreas(new Segmentation(1, 5, column, null, 0), LABELS));
    assertEquals(pixelByPixel(5, 1, column, LABELS), MaskStatistics.classAreas(new Segmentation(5, 1, column, null, 0), LABELS));
  }

  @Test
  void namesThePixelOfAClassWithoutALabel() {
    byte[] ids = new byte[4 * 3];
    ids[2 * 4 + 1] = 9;
    ids[2 * 4 + 2] = 9;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MaskStatistics.classAreas(new Segmentation(4, 3, ids, null, 0), LABELS));
    assertTrue(e.getMessage().contains("class id 9 at (1,2)"), e.getMessage());
  }

  private static int y(int index, int width) {
    return index / width;
  }

  /** The definition: every pixel counted on its own. */
  static List<ClassArea> pixelByPixel(int width, int height, byte[] ids, List<String> labels) {
    List<ClassArea> areas = new ArrayList<>();
    for (int c = 0; c < labels.size(); c++) {
      long n = 0;
      long sx = 0;
      long sy = 0;
      int minX = Integer.MAX_VALUE, minY = Integer.MAX_VALUE, maxX = -1, maxY = -1;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          if (ids[y * width + x] == c) {
            n++;
            sx += x;
            sy += y;
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
          }
        }
      }
      if (n > 0) {
        areas.add(new ClassArea(labels.get(c), c, n, (double) n / (width * height), minX, minY, maxX, maxY,
            (double) sx / n, (double) sy / n));
      }
    }
    return areas;
  }
}
