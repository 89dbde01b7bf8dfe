package io.segstream.image;

import java.util.ServiceLoader;

/**
 * Turns the pixels of a colour JPEG into RGB8, after {@link FrameDecoder} has read and checked its
 * header (signature, size limits, declared size, a 3-channel colour image). Implementations must be
 * safe to call from several threads at once.
 *
 * <p>The JDK's decoder is the default; other implementations (TensorFlow's libjpeg-turbo {@code
 * DecodeJpeg}, in the inference package) are found with {@link ServiceLoader} by {@link #name}, so
 * this package does not depend on any engine.
 */
public interface JpegDecoder {

  /** The name the {@code jpeg.decoder} setting selects it by. */
  String name();

  /**
   * Decodes {@code jpeg}, a {@code width x height} colour JPEG, refusing damaged data as {@link
   * FrameRejectedException.Reason#CORRUPT_IMAGE}.
   */
  RgbImage decode(byte[] jpeg, int width, int height) throws FrameRejectedException;

  /**
   * The decoder named {@code name}: {@code imageio} (none needed: {@link FrameDecoder} decodes with
   * ImageIO itself), or one registered as a {@link JpegDecoder} service.
   *
   * @return null for {@code imageio}
   * @throws IllegalArgumentException when no decoder has that name
   */
  static JpegDecoder named(String name) {
    if (IMAGE_IO.equals(name)) {
      return null;
    }
    for (JpegDecoder decoder : ServiceLoader.load(JpegDecoder.class)) {
      if (decoder.name().equals(name)) {
        return decoder;
      }
    }
    throw new IllegalArgumentException("no JPEG decoder named '" + name + "' in this runtime");
  }

  /** The name of the JDK's decoder, which {@link FrameDecoder} runs itself. */
  String IMAGE_IO = "imageio";
}
