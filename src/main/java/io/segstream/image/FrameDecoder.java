package io.segstream.image;

import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.image.FrameRejectedException.Reason;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes a frame's image bytes (JPEG, PNG or raw RGB8) to an {@link RgbImage}, refusing anything
 * that breaks the limits before spending memory on it.
 *
 * <p>The encoded size is checked first, then the dimensions read from the image header, so a small
 * file declaring a huge image (a decompression bomb) never gets a pixel buffer. Truncated or damaged
 * image data is refused as {@link Reason#CORRUPT_IMAGE} rather than decoded with grey where the data
 * is missing. Thread-safe.
 */
public final class FrameDecoder {

  /**
   * Warnings of the JDK's JPEG decoder about metadata it skipped (the texts of its resource bundle,
   * which has no translations); the pixels are intact. Every other warning means damaged data.
   */
  private static final Set<String> HARMLESS_WARNINGS =
      Set.of(
          "Embedded color profile is invalid; ignored",
          "JFIF markers not allowed in JFIF JPEG thumbnail; ignored");

  private final int maxFrameBytes;
  private final long maxFramePixels;

  public FrameDecoder(int maxFrameBytes, long maxFramePixels) {
    this.maxFrameBytes = maxFrameBytes;
    this.maxFramePixels = maxFramePixels;
  }

  /**
   * Decodes the frame's image, checking it against the frame's declared encoding and size. A RAW_RGB8
   * image shares the frame's bytes instead of copying them: neither the frame nor the image is ever
   * written to.
   */
  public RgbImage decode(ImageFrame frame) throws FrameRejectedException {
    return decode(frame.getEncoding(), Buffers.readOnlyArray(frame.getImage()), frame.getWidth(),
        frame.getHeight(), true);
  }

  /**
   * Decodes {@code data}, which the frame declares to be {@code encoding} at {@code declaredWidth x
   * declaredHeight}. The image never shares {@code data}, which stays the caller's to reuse.
   */
  public RgbImage decode(ImageEncoding encoding, byte[] data, int declaredWidth, int declaredHeight)
      throws FrameRejectedException {
    return decode(encoding, data, declaredWidth, declaredHeight, false);
  }

  private RgbImage decode(ImageEncoding encoding, byte[] data, int declaredWidth, int declaredHeight,
      boolean shareRaw) throws FrameRejectedException {
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
        return decodeRaw(data, declaredWidth, declaredHeight, shareRaw);
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

  private RgbImage decodeRaw(byte[] data, int width, int height, boolean share) throws FrameRejectedException {
    checkPixels(width, height);
    long expected = (long) width * height * 3;
    if (data.length != expected) {
      throw new FrameRejectedException(
          Reason.SIZE_MISMATCH,
          "RAW_RGB8 frame of " + width + "x" + height + " needs " + expected + " bytes, got "
              + data.length);
    }
    return new RgbImage(width, height, share ? data : data.clone());
  }

  private RgbImage decodeWithImageIo(String format, byte[] data, int declaredWidth, int declaredHeight)
      throws FrameRejectedException {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new FrameRejectedException(
          Reason.UNSUPPORTED_ENCODING, "no " + format + " decoder in this Java runtime");
    }
    ImageReader reader = readers.next();
    // In memory: ImageIO.createImageInputStream would cache the bytes in a temporary file (ImageIO's
    // cache is on by default), a file created, written and deleted per frame.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
      if (!startsWithSignature(reader, in)) {
        throw new FrameRejectedException(
            Reason.UNDECODABLE_IMAGE, "not a " + format + " image: it does not start with the "
                + format + " signature");
      }
      // From here on the bytes are the declared format, so a failure means damaged data.
      reader.setInput(in, true, true);
      int width;
      int height;
      try {
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw corrupt(format, "header", e);
      }
      checkPixels(width, height);
      if (width != declaredWidth || height != declaredHeight) {
        throw new FrameRejectedException(
            Reason.SIZE_MISMATCH,
            "frame declares " + declaredWidth + "x" + declaredHeight + " but the " + format
                + " image is " + width + "x" + height);
      }
      requireSupportedType(reader, format);
      if (format.equals("png")) {
        PngChunks.verify(data);
      }
      if (format.equals("jpeg") && reader.getImageTypes(0).next().getNumBands() == 3) {
        return readRgbIntact(reader, width, height);
      }
      return Images.toRgb(readIntact(reader, format));
    } catch (IOException e) {
      throw new FrameRejectedException(
          Reason.UNDECODABLE_IMAGE, "cannot read " + format + " stream: " + describe(e), e);
    } finally {
      reader.dispose();
    }
  }

  /** Whether the data starts the way the reader's format does (its provider's signature check). */
  private static boolean startsWithSignature(ImageReader reader, ImageInputStream in) {
    ImageReaderSpi provider = reader.getOriginatingProvider();
    try {
      return provider == null || provider.canDecodeInput(in);
    } catch (IOException e) {
      return false; // shorter than the signature
    }
  }

  /**
   * Refuses a header the decoder reads but cannot turn into pixels (a CMYK JPEG, say): that is no
   * damage, and without this check it would surface as a failure while reading the pixels.
   */
  private static void requireSupportedType(ImageReader reader, String format)
      throws FrameRejectedException {
    boolean supported;
    try {
      supported = reader.getImageTypes(0).hasNext();
    } catch (IOException | RuntimeException e) {
      throw corrupt(format, "header", e);
    }
    if (!supported) {
      throw new FrameRejectedException(
          Reason.UNDECODABLE_IMAGE, "cannot decode this kind of " + format + " image (unsupported image type)");
    }
  }

  /**
   * Reads the pixels, refusing the image when the decoder fails or warns. ImageIO's JPEG decoder
   * reports a premature end or corrupt entropy-coded data only as a warning and fills the rest of
   * the image with grey, so an unheard warning would let a damaged frame through.
   */
  private static BufferedImage readIntact(ImageReader reader, String format)
      throws FrameRejectedException {
    return readIntact(reader, format, null);
  }

  /**
   * A colour JPEG decoded straight into RGB8 pixels: the decoder's scanlines are RGB, and into its
   * default BGR image it copies them sample by sample, which {@link Images#toRgb} then swaps back;
   * both copies together cost about as much CPU as the Java side of the decode itself.
   */
  private static RgbImage readRgbIntact(ImageReader reader, int width, int height)
      throws FrameRejectedException {
    WritableRaster raster = Raster.createInterleavedRaster(
        DataBuffer.TYPE_BYTE, width, height, width * 3, 3, new int[] {0, 1, 2}, null);
    ColorModel rgb = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false,
        Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    ImageReadParam param = reader.getDefaultReadParam();
    param.setDestination(new BufferedImage(rgb, raster, false, null));
    readIntact(reader, "jpeg", param);
    return new RgbImage(width, height, ((DataBufferByte) raster.getDataBuffer()).getData());
  }

  private static BufferedImage readIntact(ImageReader reader, String format, ImageReadParam param)
      throws FrameRejectedException {
    List<String> warnings = new ArrayList<>();
    reader.addIIOReadWarningListener(
        (source, warning) -> {
          if (!HARMLESS_WARNINGS.contains(warning)) {
            warnings.add(warning);
          }
        });
    BufferedImage image;
    try {
      image = reader.read(0, param);
    } catch (IOException | RuntimeException e) {
      throw corrupt(format, "image data", e);
    }
    if (!warnings.isEmpty()) {
      throw new FrameRejectedException(
          Reason.CORRUPT_IMAGE,
          "truncated or corrupt " + format + " image data: " + String.join("; ", warnings));
    }
    return image;
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

  private static FrameRejectedException corrupt(String format, String part, Exception e) {
    return new FrameRejectedException(
        Reason.CORRUPT_IMAGE, "corrupt " + format + " " + part + ": " + describe(e), e);
  }

  /** The message, with its cause's: ImageIO wraps the telling part ("Unexpected end of ZLIB input stream"). */
  private static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Throwable cause = e.getCause();
    return cause == null || cause == e ? message : message + " (" + describe(cause) + ")";
  }
}
