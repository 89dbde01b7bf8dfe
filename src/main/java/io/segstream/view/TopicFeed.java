package io.segstream.view;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.topology.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the frames, masks and class-areas topics from their last seconds on into a {@link CameraBoard}, on its
 * own thread. It assigns partitions itself (no consumer group), so a view never takes work or
 * offsets from anyone, and it sees every camera whichever processor replica handled it.
 */
public final class TopicFeed implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TopicFeed.class);
  /** How far back a view starts reading. */
  static final Duration HISTORY = Duration.ofSeconds(10);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Topics topics;
  private final CameraBoard board;
  private final Deserializer<ImageFrame> frames;
  private final Deserializer<SegmentationMask> masks;
  private final Deserializer<ClassAreas> areas;
  private final Thread thread;
  private volatile boolean closed;

  public TopicFeed(SegstreamConfig config, CameraBoard board) {
    this.board = board;
    this.topics = Topics.fromConfig(config);
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    frames = serdes.forValues(ImageFrame.class).deserializer();
    masks = serdes.forValues(SegmentationMask.class).deserializer();
    areas = serdes.forValues(ClassAreas.class).deserializer();
    Map<String, Object> props = config.kafkaClientSettings(ConsumerConfig.configNames());
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "segstream-view");
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        config.getInt(SegstreamConfig.MAX_FRAME_BYTES) + 1024 * 1024);
    consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(this::readUntilClosed, "segstream-view-feed");
    thread.setDaemon(true);
  }

  public TopicFeed start() {
    thread.start();
    return this;
  }

  private void readUntilClosed() {
    try {
      List<TopicPartition> partitions = awaitPartitions();
      consumer.assign(partitions);
      startRecently(partitions);
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          accept(record);
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("the live view stopped reading the topics", e);
    } finally {
      consumer.close();
    }
  }

  /**
   * Positions each partition at its records of the last {@link #HISTORY}: a view opened now shows the
   * cameras of the last seconds at once, not only from their next frame on.
   */
  private void startRecently(List<TopicPartition> partitions) {
    Map<TopicPartition, Long> since = new HashMap<>();
    long from = System.currentTimeMillis() - HISTORY.toMillis();
    partitions.forEach(p -> since.put(p, from));
    List<TopicPartition> atEnd = new ArrayList<>();
    consumer.offsetsForTimes(since).forEach((partition, offset) -> {
      if (offset == null) {
        atEnd.add(partition);
      } else {
        consumer.seek(partition, offset.offset());
      }
    });
    consumer.seekToEnd(atEnd);
  }

  /** The three topics' partitions, waiting while a processor has yet to create them. */
  private List<TopicPartition> awaitPartitions() throws InterruptedException {
    boolean told = false;
    while (true) {
      List<TopicPartition> partitions = new ArrayList<>();
      boolean allThere = true;
      for (String topic : List.of(topics.frames(), topics.masks(), topics.areas())) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        allThere &= infos != null && !infos.isEmpty();
        if (infos != null) {
          infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
      }
      if (allThere) {
        return partitions;
      }
      if (!told) {
        LOG.info("waiting for topics {}, {}, {} to exist", topics.frames(), topics.masks(), topics.areas());
        told = true;
      }
      Thread.sleep(1_000);
    }
  }

  private void accept(ConsumerRecord<byte[], byte[]> record) {
    try {
      if (record.topic().equals(topics.frames())) {
        board.frame(frames.deserialize(record.topic(), record.value()));
      } else if (record.topic().equals(topics.masks())) {
        board.mask(masks.deserialize(record.topic(), record.value()));
      } else {
        board.areas(areas.deserialize(record.topic(), record.value()));
      }
    } catch (SerializationException e) {
      // Unreadable frames are the processor's to dead-letter; the view just does not show them.
      LOG.debug("skipping an unreadable record on {}: {}", record.topic(), e.getMessage());
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    consumer.wakeup();
    thread.join(10_000);
  }
}
