package io.segstream.model.data;

import io.segstream.image.RgbImage;
import java.util.SplittableRandom;

/**
 * The usual segmentation augmentation, applied to an image and its mask together: random scale, a
 * random crop of a fixed size (padded when the scaled image is smaller) and a random horizontal flip.
 *
 * <p>Every output pixel is mapped back to one source position, from which the image is sampled
 * bilinearly and the mask by the nearest source pixel, so image and mask stay aligned. Padding is mid
 * grey in the image (the FCN's zero input) and {@link LabeledDataset#VOID} in the mask, so the loss
 * ignores it.
 *
 * @param cropSize side of the square output in pixels
 * @param minScale smallest scale factor drawn (uniformly) per image
 * @param maxScale largest scale factor
 * @param flip whether half the images are mirrored left to right
 */
public record Augmentation(int cropSize, double minScale, double maxScale, boolean flip) {

  private static final int PAD_GREY = 128;

  public Augmentation {
    if (cropSize < 8 || minScale <= 0 || maxScale < minScale) {
      throw new IllegalArgumentException("need crop size >= 8 and 0 < min scale <= max scale");
    }
  }

  /** Describes the settings, for checkpoint fingerprints and model versions. */
  public String describe() {
    return "crop" + cropSize + ",scale" + minScale + "-" + maxScale + (flip ? ",flip" : "");
  }

  /** One augmented copy of {@code sample}; the same {@code random} state gives the same copy. */
  public LabeledImage apply(LabeledImage sample, SplittableRandom random) {
    RgbImage image = sample.image();
    double scale = minScale + (maxScale - minScale) * random.nextDouble();
    int scaledWidth = Math.max(1, (int) Math.round(image.width() * scale));
    int scaledHeight = Math.max(1, (int) Math.round(image.height() * scale));
    // Offset of the crop in the scaled image; negative when the scaled image is smaller (padding).
    int offsetX = offset(random, scaledWidth);
    int offsetY = offset(random, scaledHeight);
    boolean mirrored = flip && random.nextBoolean();
    double sx = (double) image.width() / scaledWidth;
    double sy = (double) image.height() / scaledHeight;
    byte[] pixels = new byte[cropSize * cropSize * 3];
    byte[] truth = new byte[cropSize * cropSize];
    for (int y = 0; y < cropSize; y++) {
      int scaledY = y + offsetY;
      for (int x = 0; x < cropSize; x++) {
        int scaledX = (mirrored ? cropSize - 1 - x : x) + offsetX;
        int out = y * cropSize + x;
        if (scaledX < 0 || scaledY < 0 || scaledX >= scaledWidth || scaledY >= scaledHeight) {
          truth[out] = (byte) LabeledDataset.VOID;
          pixels[out * 3] = pixels[out * 3 + 1] = pixels[out * 3 + 2] = (byte) PAD_GREY;
          continue;
        }
        // Pixel centres: scaled pixel i covers source [i * s, (i + 1) * s).
        double u = (scaledX + 0.5) * sx;
        double v = (scaledY + 0.5) * sy;
        int nearestX = Math.min(image.width() - 1, (int) u);
        int nearestY = Math.min(image.height() - 1, (int) v);
        truth[out] = sample.truth()[nearestY * image.width() + nearestX];
        sampleBilinear(image, u - 0.5, v - 0.5, pixels, out * 3);
      }
    }
    return new LabeledImage(sample.name(), new RgbImage(cropSize, cropSize, pixels), truth);
  }

  private int offset(SplittableRandom random, int scaledSide) {
    return scaledSide >= cropSize
        ? random.nextInt(scaledSide - cropSize + 1)
        : -random.nextInt(cropSize - scaledSide + 1);
  }

  private static void sampleBilinear(RgbImage image, double u, double v, byte[] out, int at) {
    double cu = Math.max(0, Math.min(image.width() - 1, u));
    double cv = Math.max(0, Math.min(image.height() - 1, v));
    int x0 = (int) cu;
    int y0 = (int) cv;
    int x1 = Math.min(image.width() - 1, x0 + 1);
    int y1 = Math.min(image.height() - 1, y0 + 1);
    double fx = cu - x0;
    double fy = cv - y0;
    for (int c = 0; c < 3; c++) {
      double top = image.channel(x0, y0, c) * (1 - fx) + image.channel(x1, y0, c) * fx;
      double bottom = image.channel(x0, y1, c) * (1 - fx) + image.channel(x1, y1, c) * fx;
      out[at + c] = (byte) (int) Math.round(top * (1 - fy) + bottom * fy);
    }
  }
}
