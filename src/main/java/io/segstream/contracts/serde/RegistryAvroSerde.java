package io.segstream.contracts.serde;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Confluent wire format: magic byte 0, the writer schema's 4-byte registry id (big-endian), then Avro
 * binary. Schemas are registered under the topic-name subject ({@code <topic>-value} or {@code
 * <topic>-key}); readers fetch the writer schema by id and resolve it to the compiled one.
 */
public final class RegistryAvroSerde<T extends SpecificRecord> implements Serde<T> {

  static final byte MAGIC_BYTE = 0;
  private static final int HEADER_BYTES = 5;

  private final Class<T> type;
  private final SchemaRegistryClient registry;
  private final boolean forKeys;
  private final SpecificData model;
  private final Schema readerSchema;
  private final SpecificDatumWriter<T> writer;
  private final Map<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();

  public RegistryAvroSerde(Class<T> type, SchemaRegistryClient registry, boolean forKeys) {
    this.type = type;
    this.registry = registry;
    this.forKeys = forKeys;
    this.model = SpecificData.getForClass(type);
    this.readerSchema = model.getSchema(type);
    this.writer = new SpecificDatumWriter<>(readerSchema, model);
  }

  /** The registry subject for {@code topic} (Confluent's TopicNameStrategy). */
  public String subject(String topic) {
    return topic + (forKeys ? "-key" : "-value");
  }

  public byte[] serialize(String topic, T value) {
    if (value == null) {
      return null;
    }
    try {
      int id = registry.register(subject(topic), readerSchema);
      ByteArrayOutputStream out = new ByteArrayOutputStream(256);
      out.write(MAGIC_BYTE);
      out.write(ByteBuffer.allocate(4).putInt(id).array());
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      writer.write(value, encoder);
      encoder.flush();
      return out.toByteArray();
    } catch (SchemaRegistryUnavailableException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot encode " + type.getSimpleName() + " for topic " + topic + ": "
              + SingleObjectAvroSerde.describe(e),
          e);
    }
  }

  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    if (data.length < HEADER_BYTES || data[0] != MAGIC_BYTE) {
      throw new SerializationException(
          "cannot read " + type.getSimpleName() + " from " + data.length
              + " bytes: not Confluent wire format (first byte "
              + (data.length == 0 ? "missing" : data[0]) + ", expected magic byte 0)");
    }
    int id = ByteBuffer.wrap(data, 1, 4).getInt();
    try {
      SpecificDatumReader<T> reader = readerFor(id);
      AvroLengthCheck.requireWithinBounds(
          reader.getSchema(), data, HEADER_BYTES, data.length - HEADER_BYTES);
      BinaryDecoder decoder =
          DecoderFactory.get().binaryDecoder(data, HEADER_BYTES, data.length - HEADER_BYTES, null);
      return reader.read(null, decoder);
    } catch (SchemaRegistryUnavailableException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException(
          "cannot decode " + type.getSimpleName() + " with writer schema id " + id + " from topic "
              + topic + ": " + SingleObjectAvroSerde.describe(e),
          e);
    }
  }

  private SpecificDatumReader<T> readerFor(int writerId) throws IOException {
    SpecificDatumReader<T> reader = readersByWriterId.get(writerId);
    if (reader == null) {
      reader = new SpecificDatumReader<>(registry.schemaById(writerId), readerSchema, model);
      readersByWriterId.put(writerId, reader);
    }
    return reader;
  }

  @Override
  public Serializer<T> serializer() {
    return this::serialize;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this::deserialize;
  }
}
