package io.segstream.image;

import io.segstream.contracts.MaskEncoding;
import io.segstream.contracts.SegmentationMask;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Class-id masks as lossless 8-bit grayscale PNG: pixel value = class id.
 *
 * <p>PNG keeps every id exact, any image tool opens it, and deflate shrinks the large flat regions of
 * a mask to a small fraction of its raw size.
 */
public final class MaskCodec {

  /**
   * PNG compression of masks: deflate level 1. A mask is mostly flat runs, which level 1 packs
   * nearly as small as the default level 4 (about 25% more bytes), in less time; it runs per frame.
   */
  static final float PNG_QUALITY = 0.9f;

  private MaskCodec() {}

  /** A decoded mask: one class id (unsigned byte) per pixel, row-major. */
  public record Mask(int width, int height, byte[] classIds) {

    public int classAt(int x, int y) {
      return classIds[y * width + x] & 0xff;
    }
  }

  public static byte[] encodePng(int width, int height, byte[] classIds) {
    if ((long) width * height != classIds.length) {
      throw new IllegalArgumentException(
          "mask has " + classIds.length + " ids, expected " + width + "x" + height);
    }
    BufferedImage gray = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    byte[] raster = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
    System.arraycopy(classIds, 0, raster, 0, classIds.length);
    return Images.png(gray, PNG_QUALITY);
  }

  /** The class ids a mask event carries; refuses encodings and sizes it does not hold. */
  public static Mask decode(SegmentationMask event) throws IOException {
    if (event.getMaskEncoding() != MaskEncoding.PNG_GRAY8) {
      throw new IOException("unsupported mask encoding " + event.getMaskEncoding());
    }
    Mask mask = decodePng(Buffers.toArray(event.getMask()));
    if (mask.width() != event.getWidth() || mask.height() != event.getHeight()) {
      throw new IOException("mask image is " + mask.width() + "x" + mask.height()
          + " but the event says " + event.getWidth() + "x" + event.getHeight());
    }
    return mask;
  }

  /** Decodes a mask written by {@link #encodePng}; refuses PNGs that are not single-band 8-bit. */
  public static Mask decodePng(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    if (image == null) {
      throw new IOException("mask is not a PNG image");
    }
    if (image.getType() != BufferedImage.TYPE_BYTE_GRAY) {
      throw new IOException(
          "mask PNG must be 8-bit grayscale, got image type " + image.getType() + " with "
              + image.getRaster().getNumBands() + " bands");
    }
    byte[] raster = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    return new Mask(image.getWidth(), image.getHeight(), raster.clone());
  }
}
