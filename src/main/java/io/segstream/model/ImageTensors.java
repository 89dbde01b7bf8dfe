package io.segstream.model;

import io.segstream.image.RgbImage;
import java.util.List;

/** Packs images into the float layout every FCN here expects: NHWC RGB, pixel / 255. */
public final class ImageTensors {

  /** The scale from 8-bit pixel values to model input; the offset is 0. */
  public static final double INPUT_SCALE = 1.0 / 255;

  private ImageTensors() {}

  /** {@code images} (all of one size) as row-major [N, H, W, 3] floats in [0, 1]. */
  public static float[] toNhwc(List<RgbImage> images) {
    RgbImage first = images.get(0);
    int perImage = first.width() * first.height() * 3;
    float[] data = new float[images.size() * perImage];
    for (int n = 0; n < images.size(); n++) {
      RgbImage image = images.get(n);
      if (image.width() != first.width() || image.height() != first.height()) {
        throw new IllegalArgumentException("images of one batch must share a size: " + first.width() + "x"
            + first.height() + " vs " + image.width() + "x" + image.height());
      }
      byte[] pixels = image.pixels();
      for (int i = 0; i < perImage; i++) {
        data[n * perImage + i] = (float) ((pixels[i] & 0xff) * INPUT_SCALE);
      }
    }
    return data;
  }
}
