package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.cli.SegmenterFactory;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameEncoder;
import io.segstream.image.MaskCodec;
import io.segstream.inference.Segmenter;
import io.segstream.model.GroundTruthSegmenter;
import io.segstream.model.SyntheticScenes;
import io.segstream.testing.FreshTopics;
import io.segstream.testing.Material;
import io.segstream.testing.ProcessedOutputs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The processor against a real broker: synthetic frames in, masks compared with ground truth out.
 * Subclasses say where the broker is (in this JVM, or a container).
 */
@Tag("integration")
@Timeout(180)
abstract class PipelineIntegrationTestBase {

  private static final int W = 64;
  private static final int H = 48;
  private static final Duration OUTPUT_TIMEOUT = Duration.ofSeconds(60);

  abstract String bootstrapServers();

  /** A config with fresh topic names and application id, so tests never see each other's records. */
  private SegstreamConfig freshConfig(Map<String, Object> extra) {
    Map<String, Object> props = FreshTopics.settings(bootstrapServers(), "segstream-it");
    props.put("num.stream.threads", 2);
    // Commit often so outputs show up promptly.
    props.put("commit.interval.ms", 100);
    props.putAll(extra);
    return new SegstreamConfig(props);
  }

  @ParameterizedTest
  @ValueSource(strings = {"at_least_once", "exactly_once_v2"})
  void framesBecomeMasksMatchingGroundTruthAndBadRecordsAreDeadLettered(String guarantee) throws Exception {
    SyntheticScenes scenes = new SyntheticScenes();
    GroundTruthSegmenter oracle = new GroundTruthSegmenter();
    List<SyntheticScenes.Scene> truth = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      SyntheticScenes.Scene scene = scenes.generate(1000 + i, W, H);
      truth.add(scene);
      oracle.register(scene);
    }
    SegstreamConfig config = freshConfig(Map.of(SegstreamConfig.PROCESSING_GUARANTEE, guarantee));
    Topics topics = Topics.fromConfig(config);
    try (SegstreamApp app = new SegstreamApp(config, oracle)) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "streams did not reach RUNNING");

      AvroSerdes serdes = AvroSerdes.fromConfig(config);
      List<ProducerRecord<byte[], byte[]>> input = new ArrayList<>();
      for (int i = 0; i < truth.size(); i++) {
        String stream = "cam-" + (i % 2);
        ImageEncoding encoding = i % 3 == 0 ? ImageEncoding.RAW_RGB8 : ImageEncoding.PNG;
        ImageFrame frame = new FrameEncoder(encoding)
            .frame(stream, i, Instant.now(), truth.get(i).image(), Map.of());
        input.add(record(topics.frames(), stream,
            serdes.forValues(ImageFrame.class).serializer().serialize(topics.frames(), frame)));
        if (i == 4) {
          input.add(record(topics.frames(), "cam-0", "not avro".getBytes(StandardCharsets.UTF_8)));
        }
        if (i == 8) {
          ImageFrame liar = new FrameEncoder(ImageEncoding.PNG)
              .frame("cam-1", 99, Instant.now(), truth.get(i).image(), Map.of());
          liar.setHeight(H * 2);
          input.add(record(topics.frames(), "cam-1",
              serdes.forValues(ImageFrame.class).serializer().serialize(topics.frames(), liar)));
        }
      }
      produce(input);

      // Nothing fails here, so even at_least_once must give exactly one mask and one class-area
      // record per frame: duplicates come only from a replay after a crash (CrashRecoveryTest).
      List<ConsumerRecord<byte[], byte[]>> masks = consume(config, topics.masks(), truth.size());
      List<ConsumerRecord<byte[], byte[]>> areas = consume(config, topics.areas(), truth.size());
      List<ConsumerRecord<byte[], byte[]>> dead = consume(config, topics.deadLetters(), 2);

      Map<String, List<Long>> seqsByStream = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : masks) {
        SegmentationMask mask = serdes.forValues(SegmentationMask.class).deserializer()
            .deserialize(record.topic(), record.value());
        assertEquals(mask.getStreamId(), new String(record.key(), StandardCharsets.UTF_8));
        SyntheticScenes.Scene scene = truth.get((int) mask.getFrameSeq());
        assertArrayEquals(scene.labels(), MaskCodec.decode(mask).classIds(),
            "mask of frame " + mask.getFrameSeq());
        seqsByStream.computeIfAbsent(mask.getStreamId(), s -> new ArrayList<>()).add(mask.getFrameSeq());
      }
      // Same key, same partition: each stream's masks come out in frame order.
      assertEquals(List.of(0L, 2L, 4L, 6L, 8L, 10L), seqsByStream.get("cam-0"));
      assertEquals(List.of(1L, 3L, 5L, 7L, 9L, 11L), seqsByStream.get("cam-1"));
      Map<String, List<Long>> areaSeqsByStream = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : areas) {
        ClassAreas classAreas = serdes.forValues(ClassAreas.class).deserializer()
            .deserialize(record.topic(), record.value());
        long counted = classAreas.getAreas().stream().mapToLong(a -> a.getPixelCount()).sum();
        assertEquals((long) W * H, counted);
        areaSeqsByStream.computeIfAbsent(classAreas.getStreamId(), s -> new ArrayList<>()).add(classAreas.getFrameSeq());
      }
      assertEquals(seqsByStream, areaSeqsByStream, "class areas: one record per frame, in frame order");
      List<String> codes = dead.stream()
          .map(r -> DeadLetters.header(r.headers(), DeadLetters.CODE)).sorted().toList();
      assertEquals(List.of(DeadLetters.BAD_RECORD, "SIZE_MISMATCH"), codes);
      ConsumerRecord<byte[], byte[]> badAvro = dead.stream()
          .filter(r -> DeadLetters.BAD_RECORD.equals(DeadLetters.header(r.headers(), DeadLetters.CODE)))
          .findFirst().orElseThrow();
      assertArrayEquals("not avro".getBytes(StandardCharsets.UTF_8), badAvro.value());
      assertEquals(topics.frames(), DeadLetters.header(badAvro.headers(), DeadLetters.SOURCE_TOPIC));
    }
  }

  @Test
  void framesOfSeveralMegabytesPassAndOversizedOnesAreDeadLettered() throws Exception {
    // Broker default max.message.bytes is 1 MB: the topics segstream creates must allow whole frames.
    SegstreamConfig config = freshConfig(Map.of(SegstreamConfig.MAX_FRAME_BYTES, 3 * 1024 * 1024,
        SegstreamConfig.MAX_FRAME_PIXELS, 2_000_000L));
    Topics topics = Topics.fromConfig(config);
    SyntheticScenes.Scene big = new SyntheticScenes().generate(77, 1024, 768);
    SyntheticScenes.Scene tooBig = new SyntheticScenes().generate(78, 1100, 1000);
    try (SegstreamApp app = new SegstreamApp(config, new GroundTruthSegmenter().register(big).register(tooBig))) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "streams did not reach RUNNING");
      AvroSerdes serdes = AvroSerdes.fromConfig(config);
      FrameEncoder raw = new FrameEncoder(ImageEncoding.RAW_RGB8);
      byte[] bigValue = serdes.forValues(ImageFrame.class).serializer()
          .serialize(topics.frames(), raw.frame("cam", 1, Instant.now(), big.image(), Map.of()));
      byte[] tooBigValue = serdes.forValues(ImageFrame.class).serializer()
          .serialize(topics.frames(), raw.frame("cam", 2, Instant.now(), tooBig.image(), Map.of()));
      assertTrue(bigValue.length > 2_000_000 && tooBigValue.length > 3 * 1024 * 1024);
      produce(List.of(record(topics.frames(), "cam", bigValue), record(topics.frames(), "cam", tooBigValue)));

      SegmentationMask mask = serdes.forValues(SegmentationMask.class).deserializer()
          .deserialize(topics.masks(), consume(config, topics.masks(), 1).get(0).value());
      assertArrayEquals(big.labels(), MaskCodec.decode(mask).classIds());
      ConsumerRecord<byte[], byte[]> dead = consume(config, topics.deadLetters(), 1).get(0);
      assertEquals("FRAME_TOO_LARGE", DeadLetters.header(dead.headers(), DeadLetters.CODE));
      assertArrayEquals(tooBigValue, dead.value());
    }
  }

  @Test
  void realModelSegmentsSyntheticFrames() throws Exception {
    Path modelDir = Paths.get(System.getProperty("segstream.repo.dir", "."), "models", "fcn-default");
    Material.require(Files.isDirectory(modelDir), 
        "no trained model at " + modelDir + " (models/fcn-default is committed: is the checkout complete?)");
    SegstreamConfig config = freshConfig(Map.of(SegstreamConfig.MODEL_DIR, modelDir.toString()));
    Topics topics = Topics.fromConfig(config);
    SyntheticScenes scenes = new SyntheticScenes();
    int frames = 8;
    try (Segmenter segmenter = SegmenterFactory.modelBacked(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).open(config);
        SegstreamApp app = new SegstreamApp(config, segmenter)) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "streams did not reach RUNNING");
      AvroSerdes serdes = AvroSerdes.fromConfig(config);
      List<ProducerRecord<byte[], byte[]>> input = new ArrayList<>();
      for (int i = 0; i < frames; i++) {
        ImageFrame frame = new FrameEncoder(ImageEncoding.PNG)
            .frame("cam", i, Instant.now(), scenes.generate(5000 + i, 128, 128).image(), Map.of());
        input.add(record(topics.frames(), "cam",
            serdes.forValues(ImageFrame.class).serializer().serialize(topics.frames(), frame)));
      }
      produce(input);
      long correct = 0;
      long total = 0;
      Set<Long> masked = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> record : consume(config, topics.masks(), frames)) {
        SegmentationMask mask = serdes.forValues(SegmentationMask.class).deserializer()
            .deserialize(record.topic(), record.value());
        assertTrue(masked.add(mask.getFrameSeq()), "a second mask for frame " + mask.getFrameSeq());
        byte[] labels = scenes.generate(5000 + mask.getFrameSeq(), 128, 128).labels();
        byte[] predicted = MaskCodec.decode(mask).classIds();
        for (int p = 0; p < labels.length; p++) {
          correct += labels[p] == predicted[p] ? 1 : 0;
        }
        total += labels.length;
      }
      double accuracy = (double) correct / total;
      assertTrue(accuracy > 0.85, "pixel accuracy through the stream " + accuracy);
    }
  }

  static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
    return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
  }

  private void produce(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
    produce(bootstrapServers(), records);
  }

  /** Sends {@code records} one by one, each acknowledged before the next. */
  static void produce(String bootstrap, List<ProducerRecord<byte[], byte[]>> records) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (ProducerRecord<byte[], byte[]> record : records) {
        producer.send(record).get();
      }
    }
  }

  /**
   * Every record the processor of {@code config} wrote to {@code topic}, which must be {@code
   * expected}: read (read_committed) to the topic's end once the processor's group has committed
   * every frame sent, so a duplicate or extra record written after the expected ones is seen too.
   */
  static List<ConsumerRecord<byte[], byte[]>> consume(SegstreamConfig config, String topic, int expected)
      throws Exception {
    Map<String, Object> client = config.kafkaClientSettings(AdminClientConfig.configNames());
    ProcessedOutputs.awaitDrained(client, config.getString(SegstreamConfig.APPLICATION_ID),
        config.getString(SegstreamConfig.TOPIC_FRAMES), List.of(topic), OUTPUT_TIMEOUT);
    List<ConsumerRecord<byte[], byte[]>> records = ProcessedOutputs.readAll(client, topic, OUTPUT_TIMEOUT);
    assertEquals(expected, records.size(), "records on " + topic + " once every frame was processed");
    return records;
  }

}
