package io.segstream.image;

import java.nio.ByteBuffer;

/** Avro hands {@code bytes} fields over as {@link ByteBuffer}s; the image code works on arrays. */
final class Buffers {

  private Buffers() {}

  /** The buffer's remaining bytes, leaving its position untouched; null for null. */
  static byte[] toArray(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }
}
