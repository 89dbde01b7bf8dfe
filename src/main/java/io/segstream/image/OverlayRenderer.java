package io.segstream.image;

/**
 * Colours each pixel of a frame by its class, blended over the frame, for people to look at.
 *
 * <p>Class 0 (background) is left untouched; other classes get fixed, well-separated colours, so the
 * same class looks the same in every frame.
 */
public final class OverlayRenderer {

  /** Colours for class ids 1.., cycled when a model has more classes. */
  private static final int[][] PALETTE = {
    {230, 25, 75}, {60, 180, 75}, {0, 130, 200}, {255, 225, 25}, {145, 30, 180},
    {70, 240, 240}, {245, 130, 48}, {240, 50, 230}, {210, 245, 60}, {0, 128, 128},
  };

  private final double alpha;

  /** {@code alpha}: weight of the class colour, 0 (frame only) to 1 (colours only). */
  public OverlayRenderer(double alpha) {
    if (alpha < 0 || alpha > 1) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
    this.alpha = alpha;
  }

  /** The RGB colour of {@code classId}; background is black. */
  public static int[] colour(int classId) {
    return classId == 0 ? new int[] {0, 0, 0} : PALETTE[(classId - 1) % PALETTE.length];
  }

  /** The frame with the mask's classes blended over it. */
  public RgbImage render(RgbImage frame, MaskCodec.Mask mask) {
    if (frame.width() != mask.width() || frame.height() != mask.height()) {
      throw new IllegalArgumentException(
          "frame is " + frame.width() + "x" + frame.height() + " but mask is " + mask.width() + "x"
              + mask.height());
    }
    byte[] src = frame.pixels();
    byte[] out = src.clone();
    byte[] ids = mask.classIds();
    for (int i = 0; i < ids.length; i++) {
      int id = ids[i] & 0xff;
      if (id == 0) {
        continue;
      }
      int[] c = colour(id);
      for (int ch = 0; ch < 3; ch++) {
        out[i * 3 + ch] = (byte) Math.round((1 - alpha) * (src[i * 3 + ch] & 0xff) + alpha * c[ch]);
      }
    }
    return new RgbImage(frame.width(), frame.height(), out);
  }

  /** The mask alone, each class in its colour (for masks whose frame is not available). */
  public static RgbImage colourise(MaskCodec.Mask mask) {
    byte[] out = new byte[mask.classIds().length * 3];
    for (int i = 0; i < mask.classIds().length; i++) {
      int[] c = colour(mask.classIds()[i] & 0xff);
      out[i * 3] = (byte) c[0];
      out[i * 3 + 1] = (byte) c[1];
      out[i * 3 + 2] = (byte) c[2];
    }
    return new RgbImage(mask.width(), mask.height(), out);
  }

  /**
   * The mask over {@code frame}, or the colourised mask alone when there is no frame ({@code null}: gone,
   * unusable) or it is not the mask's size.
   */
  public RgbImage renderOrColourise(RgbImage frame, MaskCodec.Mask mask) {
    return frame != null && frame.width() == mask.width() && frame.height() == mask.height()
        ? render(frame, mask)
        : colourise(mask);
  }

  /** {@link #render} encoded as PNG. */
  public byte[] renderPng(RgbImage frame, MaskCodec.Mask mask) {
    return Images.png(render(frame, mask));
  }
}
