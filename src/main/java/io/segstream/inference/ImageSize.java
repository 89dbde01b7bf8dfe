package io.segstream.inference;

import io.segstream.image.RgbImage;

/** Width and height: images batch together only when these are equal (or fitted to one model size). */
public record ImageSize(int width, int height) {

  static ImageSize of(RgbImage image) {
    return new ImageSize(image.width(), image.height());
  }

  static ImageSize of(FixedInputSize modelInput) {
    return new ImageSize(modelInput.width(), modelInput.height());
  }

  @Override
  public String toString() {
    return width + "x" + height;
  }
}
