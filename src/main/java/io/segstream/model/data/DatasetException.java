package io.segstream.model.data;

import java.io.IOException;

/** A labeled dataset that cannot be used as it is; the message names the offending files. */
public final class DatasetException extends IOException {

  public DatasetException(String message) {
    super(message);
  }

  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
