package io.segstream.inference;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Inference failed for an image; the message is the reason written to the dead-letter topic. */
public class SegmentationException extends Exception {

  public SegmentationException(String message) {
    super(message);
  }

  public SegmentationException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The failure behind an asynchronous result, unwrapped from the {@link CompletionException} or
   * {@link ExecutionException} a future wraps it in; anything that is not a SegmentationException
   * (a bug) is returned as it is.
   */
  public static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
