package io.segstream.image;

import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;

/** Builds {@link ImageFrame} events from images, the producer side of {@link FrameDecoder}. */
public final class FrameEncoder {

  private final ImageEncoding encoding;
  private final float jpegQuality;

  public FrameEncoder(ImageEncoding encoding) {
    this(encoding, 0.9f);
  }

  public FrameEncoder(ImageEncoding encoding, float jpegQuality) {
    if (encoding == ImageEncoding.UNKNOWN) {
      throw new IllegalArgumentException("cannot encode frames as " + encoding);
    }
    this.encoding = encoding;
    this.jpegQuality = jpegQuality;
  }

  public ImageFrame frame(
      String streamId, long frameSeq, Instant captureTime, RgbImage image, Map<String, String> metadata) {
    return encoded(streamId, frameSeq, captureTime, encoding, encode(image), image.width(),
        image.height(), metadata);
  }

  /** A frame around already-encoded image bytes (e.g. a JPEG read from a camera or file). */
  public static ImageFrame encoded(
      String streamId,
      long frameSeq,
      Instant captureTime,
      ImageEncoding encoding,
      byte[] image,
      int width,
      int height,
      Map<String, String> metadata) {
    return ImageFrame.newBuilder()
        .setStreamId(streamId)
        .setFrameSeq(frameSeq)
        .setCaptureTimestamp(captureTime)
        .setEncoding(encoding)
        .setWidth(width)
        .setHeight(height)
        .setImage(ByteBuffer.wrap(image))
        .setMetadata(Map.copyOf(metadata))
        .build();
  }

  public byte[] encode(RgbImage image) {
    switch (encoding) {
      case JPEG:
        return Images.jpeg(image, jpegQuality);
      case PNG:
        return Images.png(image);
      case RAW_RGB8:
        return image.pixels().clone();
      default:
        throw new IllegalStateException("unhandled encoding " + encoding);
    }
  }
}
