package io.segstream.image;

import java.util.Objects;

/**
 * A decoded frame: interleaved 8-bit RGB, row-major, {@code width * height * 3} bytes.
 *
 * <p>This is the only image type the topology and the {@code Segmenter} exchange, so neither side
 * depends on a particular imaging library.
 */
public record RgbImage(int width, int height, byte[] pixels) {

  public RgbImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    Objects.requireNonNull(pixels, "pixels");
    if ((long) width * height * 3 != pixels.length) {
      throw new IllegalArgumentException(
          "expected " + ((long) width * height * 3) + " RGB bytes for " + width + "x" + height
              + ", got " + pixels.length);
    }
  }

  /** Red, green or blue (channel 0..2) of pixel (x, y), 0..255. */
  public int channel(int x, int y, int c) {
    return pixels[(y * width + x) * 3 + c] & 0xff;
  }
}
