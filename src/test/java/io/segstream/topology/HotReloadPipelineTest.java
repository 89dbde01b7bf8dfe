package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.cli.SegmenterFactory;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameEncoder;
import io.segstream.image.MaskCodec;
import io.segstream.inference.ModelConfig;
import io.segstream.inference.ModelRepository;
import io.segstream.inference.Segmenter;
import io.segstream.model.SyntheticScenes;
import io.segstream.ops.EmbeddedKafkaBroker;
import io.segstream.testing.Material;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot model reload on a running stream: a new version folder dropped into the model repository is
 * loaded, warmed and swapped in while Kafka Streams keeps RUNNING, and masks name the new version.
 */
@Tag("integration")
@Timeout(180)
class HotReloadPipelineTest {

  private static final Path DEFAULT_MODEL = Path.of("models/fcn-default");
  private static final int SIZE = 64;

  /** Copies the default model into {@code repo/<version>}, the config last (as a deploy would). */
  private static void deployVersion(Path repo, String version) throws Exception {
    Path dir = Files.createDirectories(repo.resolve(version));
    Files.copy(DEFAULT_MODEL.resolve(ModelRepository.SAVED_MODEL_FILE), dir.resolve(ModelRepository.SAVED_MODEL_FILE));
    Properties props = new Properties();
    try (var in = Files.newBufferedReader(DEFAULT_MODEL.resolve(ModelConfig.FILE_NAME))) {
      props.load(in);
    }
    Map<String, String> settings = new HashMap<>();
    props.forEach((k, v) -> settings.put(k.toString(), v.toString()));
    settings.put(ModelConfig.VERSION, version);
    ModelConfig.write(dir, List.of("test version " + version), settings);
  }

  @Test
  void newVersionIsSwappedInWithoutStoppingTheStream(@TempDir Path repo) throws Exception {
    Material.require(Files.isRegularFile(DEFAULT_MODEL.resolve(ModelRepository.SAVED_MODEL_FILE)), 
        "no default model at " + DEFAULT_MODEL + " (models/fcn-default is committed: is the checkout complete?)");
    deployVersion(repo, "1");
    SyntheticScenes scenes = new SyntheticScenes();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      Map<String, Object> props = new HashMap<>();
      props.put(SegstreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
      props.put(SegstreamConfig.APPLICATION_ID, "hot-reload");
      props.put(SegstreamConfig.MODEL_DIR, repo.toString());
      props.put(SegstreamConfig.MODEL_POLL_MS, 200L);
      props.put("commit.interval.ms", 100);
      SegstreamConfig config = new SegstreamConfig(props);
      Topics topics = Topics.fromConfig(config);
      AvroSerdes serdes = AvroSerdes.fromConfig(config);
      try (Segmenter segmenter = SegmenterFactory.modelBacked(new SimpleMeterRegistry()).open(config);
          SegstreamApp app = new SegstreamApp(config, segmenter);
          KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
              ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
              new ByteArraySerializer(), new ByteArraySerializer());
          KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
              ConsumerConfig.GROUP_ID_CONFIG, "hot-reload-reader",
              ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
              new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
        KafkaStreams streams = app.start();
        assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "streams did not reach RUNNING");
        consumer.subscribe(List.of(topics.masks()));

        List<SyntheticScenes.Scene> truth = new ArrayList<>();
        for (int seq = 0; seq < 10; seq++) {
          truth.add(scenes.generate(7000 + seq, SIZE, SIZE));
        }
        send(producer, serdes, topics, truth, 0, 5);
        List<SegmentationMask> before = receive(consumer, serdes, 5);
        before.forEach(mask -> assertEquals("1", mask.getModelVersion()));

        deployVersion(repo, "2");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!segmenter.modelInfo().version().equals("2") && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertEquals("2", segmenter.modelInfo().version(), "version 2 was not swapped in");
        assertEquals(KafkaStreams.State.RUNNING, streams.state(), "the stream stopped for the swap");

        send(producer, serdes, topics, truth, 5, 10);
        List<SegmentationMask> after = receive(consumer, serdes, 5);
        for (SegmentationMask mask : after) {
          assertEquals("2", mask.getModelVersion());
          // The swapped-in model really segments: most pixels agree with the ground truth.
          byte[] labels = truth.get((int) mask.getFrameSeq()).labels();
          byte[] predicted = MaskCodec.decode(mask).classIds();
          int agree = 0;
          for (int i = 0; i < labels.length; i++) {
            agree += labels[i] == predicted[i] ? 1 : 0;
          }
          assertTrue(agree > 0.8 * labels.length, "frame " + mask.getFrameSeq() + ": " + agree + " pixels right");
        }
        assertEquals(KafkaStreams.State.RUNNING, streams.state());
      }
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, AvroSerdes serdes, Topics topics,
      List<SyntheticScenes.Scene> truth, int from, int to) throws Exception {
    for (int seq = from; seq < to; seq++) {
      ImageFrame frame = new FrameEncoder(ImageEncoding.PNG)
          .frame("cam-1", seq, Instant.now(), truth.get(seq).image(), Map.of());
      producer.send(new ProducerRecord<>(topics.frames(), "cam-1".getBytes(StandardCharsets.UTF_8),
          serdes.forValues(ImageFrame.class).serializer().serialize(topics.frames(), frame))).get();
    }
  }

  private static List<SegmentationMask> receive(KafkaConsumer<byte[], byte[]> consumer, AvroSerdes serdes, int count) {
    List<SegmentationMask> masks = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (masks.size() < count && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(200)).forEach(record -> masks.add(
          serdes.forValues(SegmentationMask.class).deserializer().deserialize(record.topic(), record.value())));
    }
    assertEquals(count, masks.size(), "masks received");
    return masks;
  }
}
