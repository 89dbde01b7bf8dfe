package io.segstream.image;

import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.image.FrameRejectedException.Reason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes a frame's image bytes (JPEG, PNG or raw RGB8) to an {@link RgbImage}, refusing anything
 * that breaks the limits before spending memory on it.
 *
 * <p>The encoded size is checked first, then the dimensions read from the image header, so a small
 * file declaring a huge image (a decompression bomb) never gets a pixel buffer. Thread-safe.
 */
public final class FrameDecoder {

  private final int maxFrameBytes;
  private final long maxFramePixels;

  public FrameDecoder(int maxFrameBytes, long maxFramePixels) {
    this.maxFrameBytes = maxFrameBytes;
    this.maxFramePixels = maxFramePixels;
  }

  /** Decodes the frame's image, checking it against the frame's declared encoding and size. */
  public RgbImage decode(ImageFrame frame) throws FrameRejectedException {
    return decode(
        frame.getEncoding(), Buffers.toArray(frame.getImage()), frame.getWidth(), frame.getHeight());
  }

  /**
   * Decodes {@code data}, which the frame declares to be {@code encoding} at {@code declaredWidth x
   * declaredHeight}.
   */
  public RgbImage decode(ImageEncoding encoding, byte[] data, int declaredWidth, int declaredHeight)
      throws FrameRejectedException {
    if (data == null || data.length == 0) {
      throw new FrameRejectedException(Reason.EMPTY_IMAGE, "frame has no image bytes");
    }
    if (data.length > maxFrameBytes) {
      throw new FrameRejectedException(
          Reason.FRAME_TOO_LARGE,
          "image is " + data.length + " bytes, above max.frame.bytes=" + maxFrameBytes);
    }
    if (declaredWidth <= 0 || declaredHeight <= 0) {
      throw new FrameRejectedException(
          Reason.SIZE_MISMATCH,
          "declared size " + declaredWidth + "x" + declaredHeight + " is not positive");
    }
    if (encoding == null) {
      throw new FrameRejectedException(Reason.UNSUPPORTED_ENCODING, "frame has no encoding");
    }
    switch (encoding) {
      case RAW_RGB8:
        return decodeRaw(data, declaredWidth, declaredHeight);
      case JPEG:
        return decodeWithImageIo("jpeg", data, declaredWidth, declaredHeight);
      case PNG:
        return decodeWithImageIo("png", data, declaredWidth, declaredHeight);
      default:
        throw new FrameRejectedException(
            Reason.UNSUPPORTED_ENCODING,
            "unsupported image encoding " + encoding + "; supported: JPEG, PNG, RAW_RGB8");
    }
  }

  private RgbImage decodeRaw(byte[] data, int width, int height) throws FrameRejectedException {
    checkPixels(width, height);
    long expected = (long) width * height * 3;
    if (data.length != expected) {
      throw new FrameRejectedException(
          Reason.SIZE_MISMATCH,
          "RAW_RGB8 frame of " + width + "x" + height + " needs " + expected + " bytes, got "
              + data.length);
    }
    return new RgbImage(width, height, data.clone());
  }

  private RgbImage decodeWithImageIo(String format, byte[] data, int declaredWidth, int declaredHeight)
      throws FrameRejectedException {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new FrameRejectedException(
          Reason.UNSUPPORTED_ENCODING, "no " + format + " decoder in this Java runtime");
    }
    ImageReader reader = readers.next();
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
      reader.setInput(in, true, true);
      int width;
      int height;
      try {
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw undecodable(format, "header", e);
      }
      checkPixels(width, height);
      if (width != declaredWidth || height != declaredHeight) {
        throw new FrameRejectedException(
            Reason.SIZE_MISMATCH,
            "frame declares " + declaredWidth + "x" + declaredHeight + " but the " + format
                + " image is " + width + "x" + height);
      }
      BufferedImage image;
      try {
        image = reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw undecodable(format, "image data", e);
      }
      return Images.toRgb(image);
    } catch (IOException e) {
      throw undecodable(format, "stream", e);
    } finally {
      reader.dispose();
    }
  }

  private void checkPixels(int width, int height) throws FrameRejectedException {
    long pixels = (long) width * height;
    if (pixels > maxFramePixels) {
      throw new FrameRejectedException(
          Reason.TOO_MANY_PIXELS,
          "image is " + width + "x" + height + " = " + pixels + " pixels, above max.frame.pixels="
              + maxFramePixels);
    }
  }

  private static FrameRejectedException undecodable(String format, String part, Exception e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new FrameRejectedException(
        Reason.UNDECODABLE_IMAGE, "cannot decode " + format + " " + part + ": " + detail, e);
  }
}
