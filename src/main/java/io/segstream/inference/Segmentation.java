package io.segstream.inference;

/**
 * The result of segmenting one image.
 *
 * @param width image width in pixels
 * @param height image height in pixels
 * @param classIds one class id per pixel, row-major (unsigned byte: up to 256 classes)
 * @param classScores per class, the mean predicted probability over the image
 * @param computeNanos model compute time attributed to this image (a batch's time divided by its size)
 */
public record Segmentation(
    int width, int height, byte[] classIds, float[] classScores, long computeNanos) {

  public Segmentation {
    if ((long) width * height != classIds.length) {
      throw new IllegalArgumentException(
          "mask has " + classIds.length + " pixels, expected " + width + "x" + height);
    }
  }

  /** Class id of pixel (x, y). */
  public int classAt(int x, int y) {
    return classIds[y * width + x] & 0xff;
  }
}
