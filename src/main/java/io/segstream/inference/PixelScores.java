package io.segstream.inference;

/**
 * Per-pixel class scores of one image, {@code pixels * classes} floats starting at {@code offset} of a
 * (possibly batched) score buffer, class axis last (NHWC).
 */
final class PixelScores {

  private final float[] scores;
  private final int offset;
  private final int pixels;
  private final int classes;

  PixelScores(float[] scores, int offset, int pixels, int classes) {
    if (offset < 0 || (long) offset + (long) pixels * classes > scores.length) {
      throw new IllegalArgumentException(
          "scores hold " + scores.length + " values, image needs " + pixels * classes + " at " + offset);
    }
    this.scores = scores;
    this.offset = offset;
    this.pixels = pixels;
    this.classes = classes;
  }

  /** Turns logits into probabilities, pixel by pixel, in place (max-shifted for stability). */
  void softmaxInPlace() {
    for (int p = 0; p < pixels; p++) {
      int base = offset + p * classes;
      float max = Float.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        max = Math.max(max, scores[base + c]);
      }
      float sum = 0;
      for (int c = 0; c < classes; c++) {
        float e = (float) Math.exp(scores[base + c] - max);
        scores[base + c] = e;
        sum += e;
      }
      for (int c = 0; c < classes; c++) {
        scores[base + c] /= sum;
      }
    }
  }

  /** The highest-scoring class of every pixel; ties go to the lower class id. */
  byte[] argmax() {
    byte[] ids = new byte[pixels];
    for (int p = 0; p < pixels; p++) {
      int base = offset + p * classes;
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (scores[base + c] > scores[base + best]) {
          best = c;
        }
      }
      ids[p] = (byte) best;
    }
    return ids;
  }

  /** Per class, the mean score over all pixels. */
  float[] meanPerClass() {
    double[] sums = new double[classes];
    for (int p = 0; p < pixels; p++) {
      int base = offset + p * classes;
      for (int c = 0; c < classes; c++) {
        sums[c] += scores[base + c];
      }
    }
    float[] means = new float[classes];
    for (int c = 0; c < classes; c++) {
      means[c] = (float) (sums[c] / pixels);
    }
    return means;
  }
}
