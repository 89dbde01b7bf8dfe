package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.ApicurioRegistry;
import io.segstream.contracts.serde.ApicurioRegistryExtension;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.contracts.serde.SchemaEdits;
import io.segstream.image.FrameEncoder;
import io.segstream.image.MaskCodec;
import io.segstream.model.GroundTruthSegmenter;
import io.segstream.model.SyntheticScenes;
import io.segstream.ops.EmbeddedKafkaBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The processor with {@code schema.registry.url} pointing at a real Apicurio Registry 3: frames in
 * Confluent wire format in, masks and class areas in Confluent wire format out, every schema id one
 * the registry hands out for the topic's {@code -value} subject.
 */
@Tag("integration")
@Timeout(180)
@ExtendWith(ApicurioRegistryExtension.class)
class ApicurioRegistryPipelineTest {

  private static final int W = 64;
  private static final int H = 48;

  private static ApicurioRegistry registry;
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void start(ApicurioRegistry started) {
    registry = started;
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** Settings with fresh topic names and application id: the registry lives for the whole test run. */
  private static SegstreamConfig freshConfig() {
    String run = UUID.randomUUID().toString().substring(0, 8);
    return new SegstreamConfig(Map.of(
        SegstreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
        SegstreamConfig.APPLICATION_ID, "segstream-apicurio-" + run,
        SegstreamConfig.TOPIC_FRAMES, "frames-" + run,
        SegstreamConfig.TOPIC_MASKS, "masks-" + run,
        SegstreamConfig.TOPIC_AREAS, "areas-" + run,
        SegstreamConfig.TOPIC_DLQ, "dlq-" + run,
        SegstreamConfig.SCHEMA_REGISTRY_URL, registry.ccompatUrl(),
        "commit.interval.ms", 100));
  }

  @Test
  void framesInConfluentWireFormatBecomeMasksDecodableThroughTheRegistry() throws Exception {
    SegstreamConfig config = freshConfig();
    Topics topics = Topics.fromConfig(config);
    SyntheticScenes scenes = new SyntheticScenes();
    GroundTruthSegmenter oracle = new GroundTruthSegmenter();
    List<SyntheticScenes.Scene> truth = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      truth.add(scenes.generate(2000 + i, W, H));
      oracle.register(truth.get(i));
    }

    try (SegstreamApp app = new SegstreamApp(config, oracle)) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "streams did not reach RUNNING");

      // The producer's serdes: their own registry client, as in a separate camera process.
      AvroSerdes producerSerdes = AvroSerdes.fromConfig(config);
      assertTrue(producerSerdes.usesRegistry());
      List<byte[]> values = new ArrayList<>();
      for (int i = 0; i < truth.size(); i++) {
        ImageFrame frame = new FrameEncoder(i % 2 == 0 ? ImageEncoding.PNG : ImageEncoding.RAW_RGB8)
            .frame("cam", i, Instant.now(), truth.get(i).image(), Map.of());
        values.add(producerSerdes.forValues(ImageFrame.class).serializer().serialize(topics.frames(), frame));
      }
      byte[] unknownId = values.get(0).clone();
      ByteBuffer.wrap(unknownId).putInt(1, 987_654);
      values.add(unknownId);
      produce(topics.frames(), values);

      assertEquals(registeredId(topics.frames()), schemaId(values.get(0)), "frames carry the registry's id");
      // The reader's serdes start with an empty cache: every writer schema comes from the registry.
      AvroSerdes readerSerdes = AvroSerdes.fromConfig(config);
      List<ConsumerRecord<byte[], byte[]>> masks = PipelineIntegrationTestBase.consume(config, topics.masks(), truth.size());
      int maskId = registeredId(topics.masks());
      Set<Long> masked = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> record : masks) {
        assertEquals(0, record.value()[0], "magic byte");
        assertEquals(maskId, schemaId(record.value()), "masks carry the registry's id");
        SegmentationMask mask = readerSerdes.forValues(SegmentationMask.class).deserializer()
            .deserialize(record.topic(), record.value());
        assertArrayEquals(truth.get((int) mask.getFrameSeq()).labels(), MaskCodec.decode(mask).classIds(),
            "mask of frame " + mask.getFrameSeq());
        masked.add(mask.getFrameSeq());
      }
      assertEquals(Set.of(0L, 1L, 2L, 3L, 4L, 5L), masked);
      List<ConsumerRecord<byte[], byte[]>> areaRecords = PipelineIntegrationTestBase.consume(config, topics.areas(), truth.size());
      int areasId = registeredId(topics.areas());
      Set<Long> measured = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> record : areaRecords) {
        assertEquals(areasId, schemaId(record.value()), "class areas carry the registry's id");
        ClassAreas areas = readerSerdes.forValues(ClassAreas.class).deserializer()
            .deserialize(record.topic(), record.value());
        assertEquals((long) W * H, areas.getAreas().stream().mapToLong(a -> a.getPixelCount()).sum());
        measured.add(areas.getFrameSeq());
      }
      assertEquals(masked, measured, "one class-area record per frame");

      // A frame whose schema id the registry does not know is a bad record, kept as it came.
      ConsumerRecord<byte[], byte[]> dead = PipelineIntegrationTestBase.consume(config, topics.deadLetters(), 1).get(0);
      assertEquals(DeadLetters.BAD_RECORD, DeadLetters.header(dead.headers(), DeadLetters.CODE));
      String reason = DeadLetters.header(dead.headers(), DeadLetters.REASON);
      assertTrue(reason.contains("987654") && reason.contains("HTTP 404"), reason);
      assertArrayEquals(unknownId, dead.value());
    }
  }

  @Test
  void anOutputSchemaTheRegistryRefusesStopsTheProcessorWithoutDeadLettering() throws Exception {
    SegstreamConfig config = freshConfig();
    Topics topics = Topics.fromConfig(config);
    // Someone registered an incompatible SegmentationMask under the masks subject and made it FULL.
    String masksSubject = topics.masks() + "-value";
    assertEquals(200, registry.send("POST", "/subjects/" + masksSubject + "/versions",
        Map.of("schema", SchemaEdits.withFieldType(SegmentationMask.getClassSchema(), "width", "string"))).status());
    assertEquals(200, registry.send("PUT", "/config/" + masksSubject, Map.of("compatibility", "FULL")).status());
    SyntheticScenes.Scene scene = new SyntheticScenes().generate(3000, W, H);

    try (SegstreamApp app = new SegstreamApp(config, new GroundTruthSegmenter().register(scene))) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "streams did not reach RUNNING");
      ImageFrame frame = new FrameEncoder(ImageEncoding.PNG).frame("cam", 0, Instant.now(), scene.image(), Map.of());
      produce(topics.frames(), List.of(
          AvroSerdes.fromConfig(config).forValues(ImageFrame.class).serializer().serialize(topics.frames(), frame)));

      // The 409 would come for every frame alike: the processor stops instead of dead-lettering them.
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (app.streams().state() != KafkaStreams.State.ERROR && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(KafkaStreams.State.ERROR, app.streams().state());
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        for (String topic : List.of(topics.masks(), topics.deadLetters())) {
          long end = admin.listOffsets(Map.of(new TopicPartition(topic, 0), OffsetSpec.latest()))
              .all().get().values().iterator().next().offset();
          assertEquals(0, end, "records written to " + topic);
        }
      }
    }
  }

  /** The id the registry reports for the latest schema of {@code topic}'s value subject. */
  private static int registeredId(String topic) {
    ApicurioRegistry.Reply latest = registry.get("/subjects/" + topic + "-value/versions/latest");
    assertEquals(200, latest.status(), () -> "subject " + topic + "-value: " + latest.body());
    return latest.body().get("id").asInt();
  }

  private static int schemaId(byte[] confluentWireFormat) {
    return ByteBuffer.wrap(confluentWireFormat, 1, 4).getInt();
  }

  private static void produce(String topic, List<byte[]> values) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] value : values) {
        producer.send(new ProducerRecord<>(topic, "cam".getBytes(StandardCharsets.UTF_8), value)).get();
      }
    }
  }
}
