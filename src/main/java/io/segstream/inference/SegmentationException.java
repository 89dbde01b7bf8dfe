package io.segstream.inference;

/** Inference failed for an image; the message is the reason written to the dead-letter topic. */
public class SegmentationException extends Exception {

  public SegmentationException(String message) {
    super(message);
  }

  public SegmentationException(String message, Throwable cause) {
    super(message, cause);
  }
}
