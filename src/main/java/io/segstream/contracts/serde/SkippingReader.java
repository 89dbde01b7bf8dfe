package io.segstream.contracts.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the values of one topic as one contract type for the commands that consume topics, skipping
 * the records it cannot read and counting them by kind: a null value (a tombstone) or bytes that are
 * not that type's Avro. One such record must not stop a command that reads thousands; the count,
 * said at the end, keeps it from going unnoticed.
 *
 * <p>A schema registry that cannot be reached is not the record's fault: that error propagates.
 */
public final class SkippingReader<T> {

  private final String topic;
  private final String typeName;
  private final Deserializer<T> deserializer;
  private long tombstones;
  private long notOfType;
  /** Where the first record that was not of the type sat, and why it was refused. */
  private String firstRefusal;

  public SkippingReader(String topic, String typeName, Deserializer<T> deserializer) {
    this.topic = topic;
    this.typeName = typeName;
    this.deserializer = deserializer;
  }

  /** A reader of {@code topic}'s values as {@code type}, in the configured encoding. */
  public static <T extends SpecificRecord> SkippingReader<T> of(AvroSerdes serdes, String topic, Class<T> type) {
    return new SkippingReader<>(topic, type.getSimpleName(), serdes.forValues(type).deserializer());
  }

  /** The record's value, or null when the record was skipped (and counted). */
  public T read(ConsumerRecord<?, byte[]> record) {
    if (record.value() == null) {
      tombstones++;
      return null;
    }
    try {
      return deserializer.deserialize(record.topic(), record.headers(), record.value());
    } catch (SerializationException e) {
      if (notOfType++ == 0) {
        firstRefusal = "partition " + record.partition() + " offset " + record.offset() + ": " + e.getMessage();
      }
      return null;
    }
  }

  public long skipped() {
    return tombstones + notOfType;
  }

  /**
   * What was skipped, e.g. {@code skipped 2 unreadable records on frames: 1 null (tombstone), 1 not an
   * ImageFrame (first at partition 0 offset 3: ...)}; empty when nothing was.
   */
  public Optional<String> report() {
    if (skipped() == 0) {
      return Optional.empty();
    }
    List<String> kinds = new ArrayList<>();
    if (tombstones > 0) {
      kinds.add(tombstones + " null (tombstone)");
    }
    if (notOfType > 0) {
      kinds.add(notOfType + " not " + article(typeName) + " " + typeName + " (first at " + firstRefusal + ")");
    }
    return Optional.of("skipped " + skipped() + " unreadable record" + (skipped() == 1 ? "" : "s") + " on " + topic
        + ": " + String.join(", ", kinds));
  }

  private static String article(String noun) {
    return "AEIOUaeiou".indexOf(noun.charAt(0)) >= 0 ? "an" : "a";
  }
}
