package io.segstream.inference;

import io.segstream.image.RgbImage;
import java.util.Locale;

/**
 * A model that accepts one input size ({@code input.size} in {@code segstream-model.properties}): how a
 * frame of any size is fitted into it, and how the model's scores are brought back to the frame's size.
 * Sampling uses pixel centres (as TensorFlow's {@code half_pixel_centers}), so stretching a frame to the
 * model and its mask back lines up.
 *
 * @param width the model's input width
 * @param height the model's input height
 * @param fit how the frame fills the model's input
 * @param maskScaling how the mask returns to the frame's size
 */
public record FixedInputSize(int width, int height, Fit fit, MaskScaling maskScaling) {

  /** How a frame fills the model input. */
  public enum Fit {
    /** Scaled to the input size on each axis: fills it, changing the aspect ratio. */
    STRETCH,
    /** Scaled by one factor to fit inside, centred, the rest black: keeps the aspect ratio. */
    LETTERBOX
  }

  /** How the model-size output comes back to the frame's size. */
  public enum MaskScaling {
    /** Scores resampled bilinearly, then the argmax per frame pixel: smooth class borders. */
    BILINEAR,
    /** Argmax at the model's size, then the nearest model pixel's class: blocky borders, cheaper. */
    NEAREST
  }

  public FixedInputSize {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("input size must be positive, got " + width + "x" + height);
    }
  }

  /** Parses {@code WIDTHxHEIGHT}, e.g. {@code 256x144}. */
  static FixedInputSize parse(String size, Fit fit, MaskScaling maskScaling) {
    String[] parts = size.toLowerCase(Locale.ROOT).split("x", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("expected WIDTHxHEIGHT such as 256x144");
    }
    try {
      return new FixedInputSize(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()), fit, maskScaling);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected WIDTHxHEIGHT such as 256x144");
    }
  }

  /** Values per image in the model input. */
  int inputValues() {
    return width * height * 3;
  }

  /**
   * Writes {@code image} fitted to this size into {@code out} at {@code offset}, each byte mapped
   * through {@code byteToInput} (the model's scaling).
   */
  void fill(RgbImage image, float[] byteToInput, float[] out, int offset) {
    Placement at = placement(image.width(), image.height());
    byte[] pixels = image.pixels();
    int frameWidth = image.width();
    float padding = byteToInput[0];
    int i = offset;
    for (int my = 0; my < height; my++) {
      double fy = (my + 0.5 - at.top) / at.scaleY - 0.5;
      boolean rowInside = my >= Math.floor(at.top) && my < Math.ceil(at.top + at.contentHeight);
      Tap row = Tap.of(fy, image.height());
      for (int mx = 0; mx < width; mx++) {
        double fx = (mx + 0.5 - at.left) / at.scaleX - 0.5;
        boolean inside = rowInside && mx >= Math.floor(at.left) && mx < Math.ceil(at.left + at.contentWidth);
        if (!inside) {
          out[i++] = padding;
          out[i++] = padding;
          out[i++] = padding;
          continue;
        }
        Tap column = Tap.of(fx, frameWidth);
        int p00 = (row.low * frameWidth + column.low) * 3;
        int p01 = (row.low * frameWidth + column.high) * 3;
        int p10 = (row.high * frameWidth + column.low) * 3;
        int p11 = (row.high * frameWidth + column.high) * 3;
        for (int c = 0; c < 3; c++) {
          double top = byteToInput[pixels[p00 + c] & 0xff] * (1 - column.weight)
              + byteToInput[pixels[p01 + c] & 0xff] * column.weight;
          double bottom = byteToInput[pixels[p10 + c] & 0xff] * (1 - column.weight)
              + byteToInput[pixels[p11 + c] & 0xff] * column.weight;
          out[i++] = (float) (top * (1 - row.weight) + bottom * row.weight);
        }
      }
    }
  }

  /**
   * The mask and mean class scores at the frame's size from the model-size {@code scores} of one image
   * ({@code width * height * classes} values at {@code offset}, class axis last).
   */
  Segmentation toFrame(float[] scores, int offset, int classes, int frameWidth, int frameHeight, long computeNanos) {
    Placement at = placement(frameWidth, frameHeight);
    byte[] mask = new byte[frameWidth * frameHeight];
    double[] sums = new double[classes];
    float[] pixel = new float[classes];
    // Samples stay inside the frame's part of the model input: letterbox bars never bleed in.
    int left = (int) Math.floor(at.left);
    int top = (int) Math.floor(at.top);
    int right = (int) Math.ceil(at.left + at.contentWidth) - 1;
    int bottom = (int) Math.ceil(at.top + at.contentHeight) - 1;
    byte[] nativeClasses = maskScaling == MaskScaling.NEAREST
        ? new PixelScores(scores, offset, width * height, classes).argmax()
        : null;
    int p = 0;
    for (int fy = 0; fy < frameHeight; fy++) {
      double my = (fy + 0.5) * at.scaleY + at.top - 0.5;
      for (int fx = 0; fx < frameWidth; fx++, p++) {
        double mx = (fx + 0.5) * at.scaleX + at.left - 0.5;
        if (nativeClasses != null) {
          int nx = clamp((int) Math.round(mx), left, right);
          int ny = clamp((int) Math.round(my), top, bottom);
          int base = offset + (ny * width + nx) * classes;
          for (int c = 0; c < classes; c++) {
            sums[c] += scores[base + c];
          }
          mask[p] = nativeClasses[ny * width + nx];
          continue;
        }
        Tap row = Tap.within(my, top, bottom);
        Tap column = Tap.within(mx, left, right);
        int b00 = offset + (row.low * width + column.low) * classes;
        int b01 = offset + (row.low * width + column.high) * classes;
        int b10 = offset + (row.high * width + column.low) * classes;
        int b11 = offset + (row.high * width + column.high) * classes;
        int best = 0;
        for (int c = 0; c < classes; c++) {
          double upper = scores[b00 + c] * (1 - column.weight) + scores[b01 + c] * column.weight;
          double lower = scores[b10 + c] * (1 - column.weight) + scores[b11 + c] * column.weight;
          pixel[c] = (float) (upper * (1 - row.weight) + lower * row.weight);
          sums[c] += pixel[c];
          if (pixel[c] > pixel[best]) {
            best = c;
          }
        }
        mask[p] = (byte) best;
      }
    }
    float[] means = new float[classes];
    for (int c = 0; c < classes; c++) {
      means[c] = (float) (sums[c] / mask.length);
    }
    return new Segmentation(frameWidth, frameHeight, mask, means, computeNanos);
  }

  /** Where a frame lies in the model input: model coordinate = frame coordinate * scale + offset. */
  private record Placement(double scaleX, double scaleY, double left, double top, double contentWidth,
      double contentHeight) {}

  private Placement placement(int frameWidth, int frameHeight) {
    if (fit == Fit.STRETCH) {
      return new Placement((double) width / frameWidth, (double) height / frameHeight, 0, 0, width, height);
    }
    double scale = Math.min((double) width / frameWidth, (double) height / frameHeight);
    double contentWidth = frameWidth * scale;
    double contentHeight = frameHeight * scale;
    return new Placement(scale, scale, (width - contentWidth) / 2, (height - contentHeight) / 2,
        contentWidth, contentHeight);
  }

  private static int clamp(int value, int low, int high) {
    return Math.max(low, Math.min(high, value));
  }

  /** The two neighbouring samples of a position and the weight of the upper one. */
  private record Tap(int low, int high, double weight) {

    static Tap of(double position, int size) {
      return within(position, 0, size - 1);
    }

    static Tap within(double position, int first, int last) {
      double clamped = Math.max(first, Math.min(last, position));
      int low = (int) Math.floor(clamped);
      int high = Math.min(last, low + 1);
      return new Tap(low, high, clamped - low);
    }
  }

  @Override
  public String toString() {
    return width + "x" + height + " (" + fit.name().toLowerCase(Locale.ROOT) + ", mask "
        + maskScaling.name().toLowerCase(Locale.ROOT) + ")";
  }
}
