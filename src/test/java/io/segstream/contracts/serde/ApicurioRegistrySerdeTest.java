package io.segstream.contracts.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.MaskEncoding;
import io.segstream.contracts.SegmentationMask;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** segstream's registry serde against a real Apicurio Registry 3, through its Confluent-compatible API. */
@Tag("integration")
@ExtendWith(ApicurioRegistryExtension.class)
class ApicurioRegistrySerdeTest {

  private static ApicurioRegistry registry;

  @BeforeAll
  static void useRegistry(ApicurioRegistry started) {
    registry = started;
  }

  /** A topic no other test used: the registry lives for the whole test run. */
  private static String freshTopic(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Serdes with their own client, so nothing is answered from another serde's cache. */
  private static <T extends SpecificRecord> RegistryAvroSerde<T> serde(Class<T> type) {
    return new RegistryAvroSerde<>(type, new SchemaRegistryClient(registry.ccompatUrl()), false);
  }

  @Test
  void everyContractRoundTripsUnderTheIdTheRegistryReportsForItsSubject() {
    assertRoundTrip(ImageFrame.class, RegistryAvroSerdeTest.frame());
    assertRoundTrip(SegmentationMask.class, SegmentationMask.newBuilder()
        .setStreamId("cam-1").setFrameSeq(42).setCaptureTimestamp(Instant.ofEpochMilli(1_700_000_000_123L))
        .setModelName("fcn").setModelVersion("1").setWidth(2).setHeight(1)
        .setClassLabels(List.of("background", "circle")).setMaskEncoding(MaskEncoding.PNG_GRAY8)
        .setMask(ByteBuffer.wrap(new byte[] {(byte) 0x89, 'P', 'N', 'G'}))
        .setClassScores(List.of(0.75f, 0.25f))
        .setInferenceLatencyMs(3.5).setModelComputeMs(2.0).setProcessingLatencyMs(4.25)
        .build());
    assertRoundTrip(ClassAreas.class, ClassAreas.newBuilder()
        .setStreamId("cam-1").setFrameSeq(42).setCaptureTimestamp(Instant.ofEpochMilli(1_700_000_000_123L))
        .setModelName("fcn").setModelVersion("1").setWidth(2).setHeight(1)
        .setAreas(List.of(new ClassArea("circle", 1, 1L, 0.5, 1, 0, 1, 0, 1.0, 0.0)))
        .build());
  }

  private static <T extends SpecificRecord> void assertRoundTrip(Class<T> type, T record) {
    String topic = freshTopic(type.getSimpleName());
    byte[] bytes = serde(type).serialize(topic, record);

    assertEquals(0, bytes[0], "magic byte");
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    ApicurioRegistry.Reply latest = registry.get("/subjects/" + topic + "-value/versions/latest");
    assertEquals(200, latest.status(), () -> "subject " + topic + "-value: " + latest.body());
    assertEquals(id, latest.body().get("id").asInt(), "id in the header vs the registry's");
    assertEquals(1, latest.body().get("version").asInt());
    assertEquals(SpecificData.get().getSchema(type),
        new Schema.Parser().parse(latest.body().get("schema").asText()), "the schema the registry keeps");
    assertEquals(record, serde(type).deserialize(topic, bytes), type.getSimpleName() + " read back");
  }

  @Test
  void registeringAgainFromAnotherClientReusesTheVersionAndId() throws IOException {
    String subject = freshTopic("frames") + "-value";
    int first = new SchemaRegistryClient(registry.ccompatUrl()).register(subject, ImageFrame.getClassSchema());
    int again = new SchemaRegistryClient(registry.ccompatUrl()).register(subject, ImageFrame.getClassSchema());

    assertEquals(first, again);
    assertEquals("[1]", registry.get("/subjects/" + subject + "/versions").body().toString());
  }

  @Test
  void anIdTheRegistryDoesNotKnowIsABadRecordNotAnOutage() {
    String topic = freshTopic("frames");
    byte[] bytes = serde(ImageFrame.class).serialize(topic, RegistryAvroSerdeTest.frame());
    ByteBuffer.wrap(bytes).putInt(1, 987_654);

    // A SerializationException (dead-lettered), not a SchemaRegistryUnavailableException (stops).
    SerializationException e =
        assertThrows(SerializationException.class, () -> serde(ImageFrame.class).deserialize(topic, bytes));

    assertTrue(e.getMessage().contains("987654") && e.getMessage().contains("HTTP 404")
        && e.getMessage().contains("40403"), e.getMessage());
  }

  @Test
  void theSchemaEvolutionRulesPassTheRegistrysFullCompatibilityCheck() throws Exception {
    String topic = freshTopic("frames");
    String subject = topic + "-value";
    ApicurioRegistry.Reply v1 =
        registry.send("POST", "/subjects/" + subject + "/versions", Map.of("schema",
            RegistryAvroSerdeTest.IMAGE_FRAME_V1.toString()));
    assertEquals(200, v1.status(), () -> "registering v1: " + v1.body());
    ApicurioRegistry.Reply full =
        registry.send("PUT", "/config/" + subject, Map.of("compatibility", "FULL"));
    assertEquals(200, full.status(), () -> "setting FULL compatibility: " + full.body());

    // The current ImageFrame (metadata added with a default) is accepted as version 2 ...
    byte[] current = serde(ImageFrame.class).serialize(topic, RegistryAvroSerdeTest.frame());
    JsonNode latest = registry.get("/subjects/" + subject + "/versions/latest").body();
    assertEquals(2, latest.get("version").asInt());
    assertEquals(latest.get("id").asInt(), ByteBuffer.wrap(current, 1, 4).getInt());
    int v1Id = v1.body().get("id").asInt();
    assertNotEquals(v1Id, latest.get("id").asInt());
    // ... v1 records still read, with the default ...
    RegistryAvroSerdeTest.assertReadsAsV1Frame(serde(ImageFrame.class).deserialize(topic,
        RegistryAvroSerdeTest.wireFormat(v1Id, RegistryAvroSerdeTest.IMAGE_FRAME_V1,
            RegistryAvroSerdeTest.v1Frame())));
    // ... and a change the rules forbid (a field changing type) is refused with the registry's reason;
    // it would be refused for every record alike, so it stops the processor rather than dead-letter.
    Schema breaking = new Schema.Parser().parse(SchemaEdits.withFieldType(ImageFrame.getClassSchema(), "width", "string"));
    assertEquals(Schema.Type.STRING, breaking.getField("width").schema().getType());
    SchemaRegistryUnavailableException refused = assertThrows(SchemaRegistryUnavailableException.class,
        () -> new SchemaRegistryClient(registry.ccompatUrl()).register(subject, breaking));
    assertTrue(refused.getMessage().contains("HTTP 409"), refused.getMessage());
  }

  @Test
  void readsASchemaThatReferencesATypeRegisteredUnderAnotherSubject() throws Exception {
    String topic = freshTopic("frames");
    String encodingSubject = RegistryAvroSerdeTest.ENCODING_SUBJECT + "-" + topic;
    ApicurioRegistry.Reply encoding = registry.send("POST", "/subjects/" + encodingSubject + "/versions",
        Map.of("schema", ImageEncoding.getClassSchema().toString()));
    assertEquals(200, encoding.status(), () -> "registering the enum: " + encoding.body());
    ApicurioRegistry.Reply frame = registry.send("POST", "/subjects/" + topic + "-value/versions", Map.of(
        "schema", SchemaEdits.withFieldType(
            ImageFrame.getClassSchema(), "encoding", RegistryAvroSerdeTest.ENCODING_SUBJECT),
        "references", List.of(Map.of(
            "name", RegistryAvroSerdeTest.ENCODING_SUBJECT, "subject", encodingSubject, "version", 1))));
    assertEquals(200, frame.status(), () -> "registering the frame schema with a reference: " + frame.body());
    int id = frame.body().get("id").asInt();
    assertEquals(1, registry.get("/schemas/ids/" + id).body().get("references").size());
    // The Avro binary is the same as with the enum inline; only the schema id differs.
    byte[] bytes = serde(ImageFrame.class).serialize(freshTopic("other"), RegistryAvroSerdeTest.frame());
    ByteBuffer.wrap(bytes).putInt(1, id);

    assertEquals(RegistryAvroSerdeTest.frame(), serde(ImageFrame.class).deserialize(topic, bytes));
  }

  @Test
  void theRegistryRootInsteadOfItsCompatibilityApiStopsInsteadOfDeadLettering() {
    String topic = freshTopic("frames");
    byte[] bytes = serde(ImageFrame.class).serialize(topic, RegistryAvroSerdeTest.frame());
    RegistryAvroSerde<ImageFrame> misconfigured =
        new RegistryAvroSerde<>(ImageFrame.class, new SchemaRegistryClient(registry.rootUrl()), false);

    SchemaRegistryUnavailableException reading = assertThrows(SchemaRegistryUnavailableException.class,
        () -> misconfigured.deserialize(topic, bytes));
    SchemaRegistryUnavailableException writing = assertThrows(SchemaRegistryUnavailableException.class,
        () -> misconfigured.serialize(topic, RegistryAvroSerdeTest.frame()));
    for (Exception e : List.of(reading, writing)) {
      assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("/apis/ccompat/v7"),
          e.getMessage());
    }
  }
}
