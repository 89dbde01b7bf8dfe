package io.segstream.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Conversions between {@link RgbImage} and {@link BufferedImage}, and PNG/JPEG encoding. */
public final class Images {

  private Images() {}

  /** The image's pixels as interleaved RGB8. */
  public static RgbImage toRgb(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    byte[] rgb = new byte[width * height * 3];
    if (image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      // What the JPEG decoder produces: copy the raster, swapping B and R.
      byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < rgb.length; i += 3) {
        rgb[i] = bgr[i + 2];
        rgb[i + 1] = bgr[i + 1];
        rgb[i + 2] = bgr[i];
      }
    } else if (image.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      // Raw gray samples; getRGB would push them through Java's linear-gray colour space.
      byte[] gray = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < gray.length; i++) {
        rgb[i * 3] = gray[i];
        rgb[i * 3 + 1] = gray[i];
        rgb[i * 3 + 2] = gray[i];
      }
    } else {
      int[] argb = image.getRGB(0, 0, width, height, null, 0, width);
      for (int i = 0; i < argb.length; i++) {
        rgb[i * 3] = (byte) (argb[i] >> 16);
        rgb[i * 3 + 1] = (byte) (argb[i] >> 8);
        rgb[i * 3 + 2] = (byte) argb[i];
      }
    }
    return new RgbImage(width, height, rgb);
  }

  /** A {@code TYPE_3BYTE_BGR} copy of the image. */
  public static BufferedImage toBufferedImage(RgbImage image) {
    BufferedImage out =
        new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
    byte[] rgb = image.pixels();
    for (int i = 0; i < rgb.length; i += 3) {
      bgr[i] = rgb[i + 2];
      bgr[i + 1] = rgb[i + 1];
      bgr[i + 2] = rgb[i];
    }
    return out;
  }

  /** PNG at ImageIO's default compression (deflate level 4). */
  public static byte[] png(BufferedImage image) {
    return encode("png", image, null);
  }

  /**
   * PNG at deflate level {@code 9 - round(9 * quality)}, quality in 0..1 (ImageIO's mapping):
   * 0.9 is level 1, much faster than the default at a slightly larger file.
   */
  public static byte[] png(BufferedImage image, float quality) {
    return encode("png", image, quality);
  }

  public static byte[] png(RgbImage image) {
    return png(toBufferedImage(image));
  }

  /** JPEG at {@code quality} in 0..1. */
  public static byte[] jpeg(RgbImage image, float quality) {
    return encode("jpeg", toBufferedImage(image), quality);
  }

  /**
   * Encodes in memory. {@code ImageIO.write} to a stream would buffer through a temporary file
   * (ImageIO's cache is on by default), costing more than the encoding itself for small images.
   */
  private static byte[] encode(String format, BufferedImage image, Float quality) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    if (!writers.hasNext()) {
      throw new IllegalStateException("no " + format + " writer in this Java runtime");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (quality != null) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
      }
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(format + " encoding to memory failed", e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
