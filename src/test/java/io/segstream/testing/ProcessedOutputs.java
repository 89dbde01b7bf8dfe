package io.segstream.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reading everything a processor wrote, not just the first records to arrive: wait until its group
 * has committed every input record and no output transaction is open, then read each output topic
 * to its end. A test that stopped at the expected count would never see a duplicate or an extra
 * record written after it.
 */
public final class ProcessedOutputs {

  private ProcessedOutputs() {}

  /**
   * Waits until {@code group} has committed every record of {@code inputTopic} (outputs of committed
   * inputs are flushed, or committed in the same transaction) and no transaction on {@code
   * outputTopics} is open any more (a killed instance's is aborted by its timeout), so the outputs
   * can be read to their end.
   */
  public static void awaitDrained(Map<String, Object> client, String group, String inputTopic,
      List<String> outputTopics, Duration timeout) throws Exception {
    try (Admin admin = Admin.create(client)) {
      List<TopicPartition> inputs = partitions(admin, inputTopic);
      await("group " + group + " to commit all of " + inputTopic, timeout, () -> {
        Map<TopicPartition, Long> end = offsets(admin, inputs, IsolationLevel.READ_UNCOMMITTED);
        Map<TopicPartition, OffsetAndMetadata> committed = get(admin.listConsumerGroupOffsets(group)
            .partitionsToOffsetAndMetadata());
        return inputs.stream().allMatch(tp -> committed.get(tp) != null
            ? committed.get(tp).offset() >= end.get(tp) : end.get(tp) == 0);
      });
      List<TopicPartition> outputs = new ArrayList<>();
      for (String topic : outputTopics) {
        outputs.addAll(partitions(admin, topic));
      }
      await("open transactions on the outputs to end", timeout, () ->
          offsets(admin, outputs, IsolationLevel.READ_COMMITTED)
              .equals(offsets(admin, outputs, IsolationLevel.READ_UNCOMMITTED)));
    }
  }

  /** Every committed record of {@code topic}, read with isolation.level=read_committed to its end. */
  public static List<ConsumerRecord<byte[], byte[]>> readAll(Map<String, Object> client, String topic,
      Duration timeout) throws Exception {
    Map<String, Object> props = new HashMap<>(client);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (Admin admin = Admin.create(client);
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = partitions(admin, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          fail("could not read " + topic + " to its end " + end);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  public static List<TopicPartition> partitions(Admin admin, String topic) throws Exception {
    TopicDescription description = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
    return description.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
  }

  private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions,
      IsolationLevel isolation) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> offsets = new HashMap<>();
    get(admin.listOffsets(latest, new ListOffsetsOptions(isolation)).all())
        .forEach((tp, info) -> offsets.put(tp, info.offset()));
    return offsets;
  }

  public static <T> T get(KafkaFuture<T> future) throws Exception {
    return future.get(30, TimeUnit.SECONDS);
  }

  public interface Check {
    boolean holds() throws Exception;
  }

  /** Polls {@code check} until it holds; fails the test when {@code timeout} passes first. */
  public static void await(String what, Duration timeout, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
