package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameEncoder;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.testing.FreshTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bench's cameras: one producer each, every frame delivered in its camera's order. */
class BenchCamerasTest {

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  private static final int CAMERAS = 3;
  private static final int FRAMES_EACH_PHASE = 60;

  @Test
  void eachCameraHasItsProducerAndItsFramesArriveInOrderBeforeAndAfterPipelining() throws Exception {
    Map<String, Object> settings = FreshTopics.settings(broker.bootstrapServers(), "cameras");
    String topic = (String) settings.get(SegstreamConfig.TOPIC_FRAMES);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, CAMERAS, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
    SegstreamConfig config = new SegstreamConfig(settings);
    AtomicReference<Exception> failure = new AtomicReference<>();
    long seq = 0;
    try (BenchCameras cameras = new BenchCameras(config, CAMERAS)) {
      assertEquals(CAMERAS, cameras.cameras());
      for (int i = 0; i < FRAMES_EACH_PHASE; i++, seq++) {
        cameras.send(frame(topic, seq), (metadata, error) -> failure.compareAndSet(null, error));
      }
      cameras.flush();
      cameras.pipeline();
      assertEquals(CAMERAS, cameras.cameras());
      for (int i = 0; i < FRAMES_EACH_PHASE; i++, seq++) {
        cameras.send(frame(topic, seq), (metadata, error) -> failure.compareAndSet(null, error));
      }
      cameras.flush();
    }
    assertEquals(null, failure.get());

    Map<Integer, List<Long>> seqsByPartition = read(config, topic, (int) seq);
    for (int camera = 0; camera < CAMERAS; camera++) {
      List<Long> expected = new ArrayList<>();
      for (long s = camera; s < seq; s += CAMERAS) {
        expected.add(s);
      }
      assertEquals(expected, seqsByPartition.get(camera), "camera " + camera);
    }
  }

  private static ProducerRecord<String, ImageFrame> frame(String topic, long seq) {
    int camera = (int) (seq % CAMERAS);
    ImageFrame frame = FrameEncoder.encoded("cam-" + camera, seq, Instant.now(), ImageEncoding.RAW_RGB8,
        new byte[2 * 2 * 3], 2, 2, Map.of());
    return new ProducerRecord<>(topic, camera, "cam-" + camera, frame);
  }

  private static Map<Integer, List<Long>> read(SegstreamConfig config, String topic, int frames) {
    Map<String, Object> props = new HashMap<>(config.kafkaClientSettings(ConsumerConfig.configNames()));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<Integer, List<Long>> seqs = new HashMap<>();
    try (KafkaConsumer<String, ImageFrame> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
        AvroSerdes.fromConfig(config).forValues(ImageFrame.class).deserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < CAMERAS; p++) {
        partitions.add(new TopicPartition(topic, p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      int read = 0;
      while (read < frames && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, ImageFrame> record : consumer.poll(Duration.ofMillis(200))) {
          seqs.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value().getFrameSeq());
          read++;
        }
      }
    }
    return seqs;
  }
}
