package io.segstream.topology;

import io.segstream.contracts.ClassArea;
import io.segstream.inference.Segmentation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Per-class pixel counts, bounding boxes and centroids of a mask, computed in one pass. */
final class MaskStatistics {

  private MaskStatistics() {}

  /**
   * One {@link ClassArea} per class present, by ascending class id.
   *
   * @throws IllegalArgumentException when a pixel's class id has no label
   */
  static List<ClassArea> classAreas(Segmentation mask, List<String> labels) {
    int classes = labels.size();
    long[] count = new long[classes];
    long[] sumX = new long[classes];
    long[] sumY = new long[classes];
    int[] minX = new int[classes];
    int[] minY = new int[classes];
    int[] maxX = new int[classes];
    int[] maxY = new int[classes];
    Arrays.fill(minX, Integer.MAX_VALUE);
    Arrays.fill(minY, Integer.MAX_VALUE);
    Arrays.fill(maxX, -1);
    Arrays.fill(maxY, -1);
    byte[] ids = mask.classIds();
    int width = mask.width();
    int height = mask.height();
    for (int y = 0, i = 0; y < height; y++) {
      for (int x = 0; x < width; x++, i++) {
        int id = ids[i] & 0xff;
        if (id >= classes) {
          throw new IllegalArgumentException(
              "class id " + id + " at (" + x + "," + y + ") is outside the model's " + classes
                  + " classes");
        }
        count[id]++;
        sumX[id] += x;
        sumY[id] += y;
        minX[id] = Math.min(minX[id], x);
        minY[id] = Math.min(minY[id], y);
        maxX[id] = Math.max(maxX[id], x);
        maxY[id] = Math.max(maxY[id], y);
      }
    }
    double total = ids.length;
    List<ClassArea> areas = new ArrayList<>();
    for (int id = 0; id < classes; id++) {
      if (count[id] == 0) {
        continue;
      }
      areas.add(
          ClassArea.newBuilder()
              .setLabel(labels.get(id))
              .setClassId(id)
              .setPixelCount(count[id])
              .setFraction(count[id] / total)
              .setMinX(minX[id])
              .setMinY(minY[id])
              .setMaxX(maxX[id])
              .setMaxY(maxY[id])
              .setCentroidX((double) sumX[id] / count[id])
              .setCentroidY((double) sumY[id] / count[id])
              .build());
    }
    return areas;
  }
}
