package io.segstream.image;

/**
 * Where a prediction is wrong, for people to look at: right pixels show the image dimmed, wrong pixels
 * are red, and pixels the truth marks as void (not scored) are grey.
 */
public final class ErrorMap {

  /** Share of the original brightness kept on right pixels: dim enough for red to stand out. */
  private static final double DIM = 0.4;
  private static final int[] WRONG = {255, 0, 0};
  private static final int[] VOID_GREY = {128, 128, 128};

  private ErrorMap() {}

  /** {@code truth} and {@code predicted}: class ids per pixel of {@code image}; {@code voidId} marks unscored truth. */
  public static RgbImage render(RgbImage image, byte[] truth, byte[] predicted, int voidId) {
    int pixels = image.width() * image.height();
    if (truth.length != pixels || predicted.length != pixels) {
      throw new IllegalArgumentException("image has " + pixels + " pixels, truth " + truth.length
          + ", prediction " + predicted.length);
    }
    byte[] src = image.pixels();
    byte[] out = new byte[src.length];
    for (int i = 0; i < pixels; i++) {
      int[] fixed = (truth[i] & 0xff) == voidId ? VOID_GREY : truth[i] != predicted[i] ? WRONG : null;
      for (int ch = 0; ch < 3; ch++) {
        out[i * 3 + ch] = fixed != null ? (byte) fixed[ch] : (byte) Math.round(DIM * (src[i * 3 + ch] & 0xff));
      }
    }
    return new RgbImage(image.width(), image.height(), out);
  }
}
