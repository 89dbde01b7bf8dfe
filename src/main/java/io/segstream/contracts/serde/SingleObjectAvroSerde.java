package io.segstream.contracts.serde;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding: a 2-byte marker, the writer schema's 8-byte fingerprint, then Avro
 * binary. Self-describing without a registry; a reader knows the schemas compiled into it.
 */
public final class SingleObjectAvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final Class<T> type;
  private final Schema schema;
  /** The single-object header of data written with {@link #schema}: marker and fingerprint. */
  private final byte[] header;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  public SingleObjectAvroSerde(Class<T> type) {
    this.type = type;
    SpecificData model = SpecificData.getForClass(type);
    this.schema = model.getSchema(type);
    this.header = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN)
        .put((byte) 0xC3).put((byte) 0x01)
        .putLong(SchemaNormalization.parsingFingerprint64(schema))
        .array();
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
  }

  public byte[] serialize(T value) {
    if (value == null) {
      return null;
    }
    try {
      ByteBuffer buffer = encoder.encode(value);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
      throw new SerializationException(
          "cannot encode " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  public T deserialize(byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      if (data.length >= header.length && Arrays.equals(data, 0, header.length, header, 0, header.length)) {
        AvroLengthCheck.requireWithinBounds(schema, data, header.length, data.length - header.length);
      }
      // Other headers are refused by the decoder with its own message.
      return decoder.decode(data);
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot read " + type.getSimpleName() + " from " + data.length
              + " bytes of Avro single-object encoding: " + describe(e),
          e);
    }
  }

  static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> serialize(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> deserialize(data);
  }
}
