package io.segstream.image;

/** A frame that cannot be turned into an {@link RgbImage}; {@link #reason()} says which check failed. */
public class FrameRejectedException extends Exception {

  /** Why a frame was rejected; the name is the machine-readable code written to the dead-letter topic. */
  public enum Reason {
    EMPTY_IMAGE,
    FRAME_TOO_LARGE,
    TOO_MANY_PIXELS,
    SIZE_MISMATCH,
    UNSUPPORTED_ENCODING,
    /**
     * Not an image of the declared encoding (it does not start with that format's signature), or a
     * kind of it the decoder does not support (a CMYK JPEG, say).
     */
    UNDECODABLE_IMAGE,
    /**
     * Starts as the declared encoding but is truncated or damaged: the decoder failed, hit a premature
     * end or warned of corrupt data, or a PNG chunk is cut short or fails its CRC.
     */
    CORRUPT_IMAGE
  }

  private final Reason reason;

  public FrameRejectedException(Reason reason, String message) {
    this(reason, message, null);
  }

  public FrameRejectedException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
