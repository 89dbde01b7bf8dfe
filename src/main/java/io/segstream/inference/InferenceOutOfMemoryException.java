package io.segstream.inference;

import java.util.Locale;

/** A model call ran out of (device) memory; the same images in smaller batches may succeed. */
public class InferenceOutOfMemoryException extends SegmentationException {

  public InferenceOutOfMemoryException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether {@code failure} is running out of memory: a Java {@link OutOfMemoryError} or TensorFlow's
   * RESOURCE_EXHAUSTED status ("OOM when allocating tensor ..."), anywhere in the cause chain.
   */
  public static boolean isOutOfMemory(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError || t instanceof InferenceOutOfMemoryException) {
        return true;
      }
      String message = t.getMessage() == null ? "" : t.getMessage();
      String upper = message.toUpperCase(Locale.ROOT);
      if (message.contains("OOM ") || upper.contains("RESOURCE_EXHAUSTED")
          || upper.contains("RESOURCEEXHAUSTED") || upper.contains("OUT OF MEMORY")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
