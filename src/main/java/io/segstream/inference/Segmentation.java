package io.segstream.inference;

/**
 * The result of segmenting one image.
 *
 * @param width image width in pixels
 * @param height image height in pixels
 * @param classIds one class id per pixel, row-major (unsigned byte: up to 256 classes)
 * @param classScores per class, the mean predicted probability over the image
 * @param computeNanos model compute time attributed to this image (a batch's time divided by its size)
 * @param model the model version that produced it, when the segmenter knows (a hot-reloading one
 *     stamps every result, so a mask is never labelled with a version swapped in after it was made);
 *     null otherwise
 */
public record Segmentation(
    int width, int height, byte[] classIds, float[] classScores, long computeNanos, ModelInfo model) {

  public Segmentation(int width, int height, byte[] classIds, float[] classScores, long computeNanos) {
    this(width, height, classIds, classScores, computeNanos, null);
  }

  public Segmentation {
    if ((long) width * height != classIds.length) {
      throw new IllegalArgumentException(
          "mask has " + classIds.length + " pixels, expected " + width + "x" + height);
    }
  }

  /** This result, stamped as produced by {@code producer}. */
  public Segmentation withModel(ModelInfo producer) {
    return new Segmentation(width, height, classIds, classScores, computeNanos, producer);
  }

  /** Class id of pixel (x, y). */
  public int classAt(int x, int y) {
    return classIds[y * width + x] & 0xff;
  }
}
