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
    // Run by run rather than pixel by pixel: a mask is mostly long runs of one class, and a run
    // updates its class's sums and box once.
    for (int y = 0, rowStart = 0; y < height; y++, rowStart += width) {
      int x = 0;
      while (x < width) {
        byte run = ids[rowStart + x];
        int end = x + 1;
        while (end < width && ids[rowStart + end] == run) {
          end++;
        }
        int id = run & 0xff;
        if (id >= classes) {
          throw new IllegalArgumentException(
              "class id " + id + " at (" + x + "," + y + ") is outside the model's " + classes
                  + " classes");
        }
        long length = end - x;
        count[id] += length;
        sumX[id] += (x + end - 1) * length / 2; // x + (x+1) + ... + (end-1)
        sumY[id] += y * length;
        minX[id] = Math.min(minX[id], x);
        maxX[id] = Math.max(maxX[id], end - 1);
        minY[id] = Math.min(minY[id], y);
        maxY[id] = Math.max(maxY[id], y);
        x = end;
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
