package io.segstream.topology;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Kafka Streams' clients with the commit barrier: the main consumer's offset commits (at-least-once)
 * and the producer's {@code sendOffsetsToTransaction} (exactly-once) never go past the oldest frame
 * still in flight in a partition ({@link FramesInFlight}). docs/inference.md ("Commit barrier") gives
 * the argument. While frames of its partitions are in flight, the main consumer's polls also return
 * within {@link BarrierConsumer#IN_FLIGHT_POLL}, so that their results are forwarded as they come.
 * Everything else is the plain clients.
 */
public final class CommitBarrierClientSupplier implements KafkaClientSupplier {

  private final FramesInFlight inFlight;

  public CommitBarrierClientSupplier(FramesInFlight inFlight) {
    this.inFlight = inFlight;
  }

  @Override
  public Admin getAdmin(Map<String, Object> config) {
    return Admin.create(config);
  }

  @Override
  public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
    return new BarrierProducer(config, inFlight);
  }

  @Override
  public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
    return new BarrierConsumer(config, inFlight);
  }

  @Override
  public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Exactly-once: the offsets committed with a transaction stop at the oldest frame in flight. */
  static final class BarrierProducer extends KafkaProducer<byte[], byte[]> {
    private final FramesInFlight inFlight;

    BarrierProducer(Map<String, Object> config, FramesInFlight inFlight) {
      super(config, new ByteArraySerializer(), new ByteArraySerializer());
      this.inFlight = inFlight;
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
      super.sendOffsetsToTransaction(inFlight.clamp(offsets), groupMetadata);
    }
  }

  /**
   * At-least-once: committed offsets stop at the oldest frame in flight. Under either guarantee, polls
   * stay short while frames of its partitions are in flight.
   */
  static final class BarrierConsumer extends KafkaConsumer<byte[], byte[]> {
    /** Longest poll while frames of this consumer's partitions are in flight. */
    static final Duration IN_FLIGHT_POLL = Duration.ofMillis(1);

    private final FramesInFlight inFlight;

    BarrierConsumer(Map<String, Object> config, FramesInFlight inFlight) {
      super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      this.inFlight = inFlight;
    }

    /**
     * A stream thread with no input buffered waits here for up to {@code poll.ms}, and a result that
     * finishes meanwhile would wait with it: the segment stage forwards results only between polls.
     * While frames of this consumer's partitions are in flight, the wait is cut to {@link #IN_FLIGHT_POLL};
     * an idle thread (nothing in flight) still waits the whole {@code timeout}.
     */
    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
      boolean cut = timeout.compareTo(IN_FLIGHT_POLL) > 0 && inFlight.anyOf(assignment());
      return super.poll(cut ? IN_FLIGHT_POLL : timeout);
    }

    @Override
    public void commitSync() {
      commitSync(positions());
    }

    @Override
    public void commitSync(Duration timeout) {
      commitSync(positions(), timeout);
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      super.commitSync(inFlight.clamp(offsets));
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
      super.commitSync(inFlight.clamp(offsets), timeout);
    }

    @Override
    public void commitAsync() {
      commitAsync(positions(), null);
    }

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
      commitAsync(positions(), callback);
    }

    @Override
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
      super.commitAsync(inFlight.clamp(offsets), callback);
    }

    /** What the no-argument commits would commit: the position of every assigned partition. */
    private Map<TopicPartition, OffsetAndMetadata> positions() {
      Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
      for (TopicPartition partition : assignment()) {
        positions.put(partition, new OffsetAndMetadata(position(partition)));
      }
      return positions;
    }
  }
}
