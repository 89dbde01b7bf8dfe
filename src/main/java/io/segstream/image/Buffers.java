package io.segstream.image;

import java.nio.ByteBuffer;

/** Avro hands {@code bytes} fields over as {@link ByteBuffer}s; the image code works on arrays. */
final class Buffers {

  private Buffers() {}

  /**
   * The buffer's remaining bytes for reading only, leaving its position untouched; null for null. When
   * the buffer spans its whole backing array, as Avro's freshly read {@code bytes} do, that array itself:
   * a RAW 128x128 frame is 49 KB, and copying it twice more per frame (here and in the decoder) cost
   * about 0.9 GB/s of copies and garbage at 9,000 frames/s. Callers never write to the result.
   */
  static byte[] readOnlyArray(ByteBuffer buffer) {
    if (buffer == null) {
      return null;
    }
    if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
        && buffer.remaining() == buffer.array().length) {
      return buffer.array();
    }
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }
}
