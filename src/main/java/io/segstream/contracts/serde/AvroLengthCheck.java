package io.segstream.contracts.serde;

import java.io.EOFException;
import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Checks that Avro binary data fits its own length prefixes before it is decoded.
 *
 * <p>Avro allocates a string, bytes or collection from the length written in front of it before
 * reading a single element, so a corrupt 30-byte record claiming a 2 GB image makes the reader
 * allocate 2 GB ({@code OutOfMemoryError}, which would stop the stream thread). Skipping the data
 * with the writer schema first reads every length without allocating for it: a lie ends in an
 * {@link java.io.EOFException} once the data runs out, and a record that passes cannot make the
 * decoder allocate much more than its own size.
 */
final class AvroLengthCheck {

  private AvroLengthCheck() {}

  /**
   * Walks {@code length} bytes of {@code data} from {@code offset} as one datum of {@code writer}.
   *
   * @throws IOException when a length or count points past the end of the data
   */
  static void requireWithinBounds(Schema writer, byte[] data, int offset, int length) throws IOException {
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, offset, length, null);
    try {
      GenericDatumReader.skip(writer, decoder);
    } catch (EOFException e) {
      throw new EOFException("the data ends early: a field length or item count points past its end");
    }
  }
}
