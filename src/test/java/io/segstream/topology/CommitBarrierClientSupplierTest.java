package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.testing.EmbeddedBroker;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The commit barrier on a real broker: what the group has committed after Kafka Streams' clients
 * (as the supplier makes them) commit past a frame still in flight.
 */
class CommitBarrierClientSupplierTest {

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  private final FramesInFlight inFlight = new FramesInFlight();
  private final CommitBarrierClientSupplier supplier = new CommitBarrierClientSupplier(inFlight);

  private TopicPartition freshTopic(int partitions) throws Exception {
    String topic = "barrier-" + UUID.randomUUID();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
          .all().get(30, TimeUnit.SECONDS);
    }
    return new TopicPartition(topic, 0);
  }

  private Map<String, Object> consumerConfig(String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return config;
  }

  private long committed(String group, TopicPartition partition) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS).get(partition);
      return offset == null ? -1 : offset.offset();
    }
  }

  @Test
  void theConsumerCommitsNoFurtherThanTheOldestFrameInFlight() throws Exception {
    TopicPartition partition = freshTopic(2);
    TopicPartition other = new TopicPartition(partition.topic(), 1);
    String group = "barrier-alos-" + UUID.randomUUID();
    try (Consumer<byte[], byte[]> consumer = supplier.getConsumer(consumerConfig(group))) {
      inFlight.hold(partition, 4);
      consumer.commitSync(Map.of(partition, new OffsetAndMetadata(10, "partition-time"),
          other, new OffsetAndMetadata(7)));
      assertEquals(4, committed(group, partition));
      assertEquals(7, committed(group, other), "a partition with nothing in flight commits as asked");

      inFlight.release(partition);
      consumer.commitSync(Map.of(partition, new OffsetAndMetadata(10)), Duration.ofSeconds(30));
      assertEquals(10, committed(group, partition));

      inFlight.hold(partition, 12);
      consumer.commitSync(Map.of(partition, new OffsetAndMetadata(11)));
      assertEquals(11, committed(group, partition), "an offset below the barrier is never raised");
    }
  }

  @Test
  void theProducerSendsNoFurtherOffsetsThanTheOldestFrameInFlight() throws Exception {
    TopicPartition partition = freshTopic(1);
    String group = "barrier-eos-" + UUID.randomUUID();
    Map<String, Object> config = new HashMap<>();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "barrier-" + UUID.randomUUID());
    try (Producer<byte[], byte[]> producer = supplier.getProducer(config)) {
      producer.initTransactions();
      inFlight.hold(partition, 3);
      producer.beginTransaction();
      producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(9)), new ConsumerGroupMetadata(group));
      producer.commitTransaction();
      // A transaction's offsets become visible once the coordinator has written its markers, which
      // can be just after commitTransaction() returns (a CI run under load read none yet).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      long committed = committed(group, partition);
      while (committed == -1 && System.nanoTime() < deadline) {
        Thread.sleep(50);
        committed = committed(group, partition);
      }
      assertEquals(3, committed);
    }
  }

  @Test
  void whileFramesOfItsPartitionsAreInFlightThePollReturnsSoonToForwardTheirResults() throws Exception {
    TopicPartition partition = freshTopic(2);
    TopicPartition other = new TopicPartition(partition.topic(), 1);
    String group = "barrier-poll-" + UUID.randomUUID();
    try (Consumer<byte[], byte[]> consumer = supplier.getConsumer(consumerConfig(group))) {
      consumer.assign(List.of(partition));
      consumer.poll(Duration.ofMillis(200));

      // Nothing in flight on its own partition (only on one it does not read): the whole timeout.
      inFlight.hold(other, 0);
      long idleNanos = timedPoll(consumer, Duration.ofMillis(400));
      assertTrue(idleNanos >= TimeUnit.MILLISECONDS.toNanos(390), "waited " + idleNanos + " ns");

      // A frame of its partition in flight: the poll returns within its slice, not after 20 s.
      inFlight.hold(partition, 0);
      long busyNanos = timedPoll(consumer, Duration.ofSeconds(20));
      assertTrue(busyNanos < TimeUnit.SECONDS.toNanos(5), "waited " + busyNanos + " ns");
    }
  }

  private static long timedPoll(Consumer<byte[], byte[]> consumer, Duration timeout) {
    long start = System.nanoTime();
    assertTrue(consumer.poll(timeout).isEmpty(), "the topic is empty");
    return System.nanoTime() - start;
  }

  @Test
  void clampKeepsMetadataAndLeavesOtherPartitionsAlone() {
    TopicPartition a = new TopicPartition("frames", 0);
    TopicPartition b = new TopicPartition("frames", 1);
    inFlight.hold(a, 5);
    Map<TopicPartition, OffsetAndMetadata> clamped =
        inFlight.clamp(Map.of(a, new OffsetAndMetadata(8, "t=1"), b, new OffsetAndMetadata(8, "t=2")));
    assertEquals(new OffsetAndMetadata(5, "t=1"), clamped.get(a));
    assertEquals(new OffsetAndMetadata(8, "t=2"), clamped.get(b));
    assertEquals(Set.of(a, b), clamped.keySet());
  }
}
