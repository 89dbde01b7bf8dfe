package io.segstream.contracts.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryAvroSerdeTest {

  /** The first version of ImageFrame, before "metadata" was added. */
  static final Schema IMAGE_FRAME_V1 = new Schema.Parser().parse("""
      {"type":"record","name":"ImageFrame","namespace":"io.segstream.contracts","fields":[
        {"name":"streamId","type":"string"},
        {"name":"frameSeq","type":"long"},
        {"name":"captureTimestamp","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"encoding","type":{"type":"enum","name":"ImageEncoding",
          "symbols":["UNKNOWN","JPEG","PNG","RAW_RGB8"],"default":"UNKNOWN"}},
        {"name":"width","type":"int"},
        {"name":"height","type":"int"},
        {"name":"image","type":"bytes"}]}""");

  /** The subject a producer that uses schema references registers the ImageEncoding enum under. */
  static final String ENCODING_SUBJECT = ImageEncoding.getClassSchema().getFullName();

  private FakeSchemaRegistry registry;
  private RegistryAvroSerde<ImageFrame> serde;

  @BeforeEach
  void start() throws Exception {
    registry = new FakeSchemaRegistry();
    serde = new RegistryAvroSerde<>(ImageFrame.class, new SchemaRegistryClient(registry.url()), false);
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  static ImageFrame frame() {
    return ImageFrame.newBuilder()
        .setStreamId("cam-1")
        .setFrameSeq(42)
        .setCaptureTimestamp(Instant.ofEpochMilli(1_700_000_000_123L))
        .setEncoding(ImageEncoding.PNG)
        .setWidth(2)
        .setHeight(1)
        .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}))
        .setMetadata(Map.of("camera", "north"))
        .build();
  }

  @Test
  void writesConfluentWireFormatAndReadsItBack() {
    byte[] bytes = serde.serialize("frames", frame());

    assertEquals(0, bytes[0], "magic byte");
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    assertEquals(101, id, "id the registry assigned");
    assertEquals(List.of("frames-value"), registry.subjects());
    assertEquals(frame(), serde.deserialize("frames", bytes));
  }

  @Test
  void aCorruptLengthPrefixIsRefusedWithoutAllocatingWhatItClaims() {
    byte[] valid = serde.serialize("frames", frame());
    int refused = SingleObjectAvroSerdeTest.insertHugeLengthEverywhere(
        valid, 5, corrupt -> serde.deserialize("frames", corrupt));
    assertTrue(refused > (valid.length - 5) / 2, "refused " + refused + " of " + (valid.length - 5));
  }

  @Test
  void asksTheRegistryOnlyOncePerSchema() {
    RegistryAvroSerde<ImageFrame> reader =
        new RegistryAvroSerde<>(ImageFrame.class, new SchemaRegistryClient(registry.url()), false);
    byte[] first = serde.serialize("frames", frame());
    serde.serialize("frames", frame());
    reader.deserialize("frames", first);
    reader.deserialize("frames", first);
    // One registration by the writer, one lookup by id by the (separate) reader.
    assertEquals(2, registry.requests.get());
  }

  @Test
  void readsDataWrittenWithAnOlderSchemaUsingDefaults() throws Exception {
    int id = registry.put("frames-value", IMAGE_FRAME_V1.toString());

    assertReadsAsV1Frame(serde.deserialize("frames", wireFormat(id, IMAGE_FRAME_V1, v1Frame())));
  }

  /** A frame as a producer built against {@link #IMAGE_FRAME_V1} wrote it. */
  static GenericRecord v1Frame() {
    GenericRecord old = new GenericData.Record(IMAGE_FRAME_V1);
    old.put("streamId", "cam-old");
    old.put("frameSeq", 7L);
    old.put("captureTimestamp", 1000L);
    old.put("encoding",
        new GenericData.EnumSymbol(IMAGE_FRAME_V1.getField("encoding").schema(), "RAW_RGB8"));
    old.put("width", 1);
    old.put("height", 1);
    old.put("image", ByteBuffer.wrap(new byte[] {9, 9, 9}));
    return old;
  }

  static void assertReadsAsV1Frame(ImageFrame read) {
    assertEquals("cam-old", read.getStreamId());
    assertEquals(ImageEncoding.RAW_RGB8, read.getEncoding());
    assertEquals(Instant.ofEpochMilli(1000), read.getCaptureTimestamp());
    assertEquals(Map.of(), read.getMetadata(), "default of the added field");
  }

  @Test
  void readsAnEncodingSymbolItDoesNotKnowAsUnknown() throws Exception {
    Schema newer = new Schema.Parser().parse(
        ImageFrame.getClassSchema().toString().replace("\"RAW_RGB8\"]", "\"RAW_RGB8\",\"WEBP\"]"));
    int id = registry.put("frames-value", newer.toString());
    GenericRecord record = new GenericData.Record(newer);
    record.put("streamId", "cam");
    record.put("frameSeq", 1L);
    record.put("captureTimestamp", 0L);
    record.put("encoding", new GenericData.EnumSymbol(newer.getField("encoding").schema(), "WEBP"));
    record.put("width", 1);
    record.put("height", 1);
    record.put("image", ByteBuffer.wrap(new byte[] {1}));
    record.put("metadata", Map.of());

    assertEquals(ImageEncoding.UNKNOWN, serde.deserialize("frames", wireFormat(id, newer, record)).getEncoding());
  }

  @Test
  void rejectsBytesWithoutTheMagicByte() {
    byte[] singleObject = new SingleObjectAvroSerde<>(ImageFrame.class).serialize(frame());
    SerializationException e =
        assertThrows(SerializationException.class, () -> serde.deserialize("frames", singleObject));
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
  }

  @Test
  void readsASchemaThatReferencesATypeRegisteredUnderAnotherSubject() throws Exception {
    registry.put(ENCODING_SUBJECT, ImageEncoding.getClassSchema().toString());
    int id = registry.put("frames-value", SchemaEdits.withFieldType(ImageFrame.getClassSchema(), "encoding", ENCODING_SUBJECT),
        List.of(Map.of("name", ENCODING_SUBJECT, "subject", ENCODING_SUBJECT, "version", 1)));
    // The Avro binary is the same as with the enum inline; only the schema id differs.
    byte[] bytes = serde.serialize("frames", frame());
    ByteBuffer.wrap(bytes).putInt(1, id);

    RegistryAvroSerde<ImageFrame> reader =
        new RegistryAvroSerde<>(ImageFrame.class, new SchemaRegistryClient(registry.url()), false);
    assertEquals(frame(), reader.deserialize("frames", bytes));
  }

  @Test
  void aMissingReferenceIsABadRecord() throws Exception {
    int id = registry.put("frames-value", SchemaEdits.withFieldType(ImageFrame.getClassSchema(), "encoding", ENCODING_SUBJECT),
        List.of(Map.of("name", ENCODING_SUBJECT, "subject", ENCODING_SUBJECT, "version", 1)));
    byte[] bytes = serde.serialize("frames", frame());
    ByteBuffer.wrap(bytes).putInt(1, id);

    SerializationException e =
        assertThrows(SerializationException.class, () -> serde.deserialize("frames", bytes));
    assertTrue(e.getMessage().contains("40401"), e.getMessage());
  }

  @Test
  void anIdThatCannotExistIsABadRecordWithoutAskingTheRegistry() {
    byte[] bytes = serde.serialize("frames", frame());
    int asked = registry.requests.get();
    for (int id : new int[] {0, -7}) {
      ByteBuffer.wrap(bytes).putInt(1, id);
      SerializationException e =
          assertThrows(SerializationException.class, () -> serde.deserialize("frames", bytes));
      assertTrue(e.getMessage().contains("registry ids are positive"), e.getMessage());
    }
    assertEquals(asked, registry.requests.get());
  }

  @Test
  void aUrlThatIsNotTheRegistryApiStopsInsteadOfDeadLettering() {
    byte[] bytes = serde.serialize("frames", frame());
    // The registry's root instead of its Confluent-compatible API: a 404 that is not the API's answer.
    String root = registry.url().replace(FakeSchemaRegistry.BASE_PATH, "");
    RegistryAvroSerde<ImageFrame> misconfigured =
        new RegistryAvroSerde<>(ImageFrame.class, new SchemaRegistryClient(root), false);

    SchemaRegistryUnavailableException reading = assertThrows(SchemaRegistryUnavailableException.class,
        () -> misconfigured.deserialize("frames", bytes));
    SchemaRegistryUnavailableException writing = assertThrows(SchemaRegistryUnavailableException.class,
        () -> misconfigured.serialize("frames", frame()));
    for (Exception e : List.of(reading, writing)) {
      assertTrue(e.getMessage().contains("HTTP 404") && e.getMessage().contains("/apis/ccompat/v7"),
          e.getMessage());
    }
  }

  @Test
  void aRefusedRegistrationStopsInsteadOfDeadLetteringEveryRecord() {
    registry.refusingRegistrations = true;
    SchemaRegistryUnavailableException e = assertThrows(SchemaRegistryUnavailableException.class,
        () -> serde.serialize("frames", frame()));
    assertTrue(e.getMessage().contains("HTTP 409") && e.getMessage().contains("frames-value"), e.getMessage());
  }

  @Test
  void reportsAnUnknownSchemaIdWithTheRegistryAnswer() {
    byte[] bytes = serde.serialize("frames", frame());
    ByteBuffer.wrap(bytes).putInt(1, 999);
    SerializationException e =
        assertThrows(SerializationException.class, () -> serde.deserialize("frames", bytes));
    assertTrue(e.getMessage().contains("999") && e.getMessage().contains("404"), e.getMessage());
  }

  @Test
  void anUnavailableRegistryIsNotMistakenForABadRecord() throws Exception {
    byte[] bytes = serde.serialize("frames", frame());
    registry.failing = true;
    SchemaRegistryUnavailableException down = assertThrows(SchemaRegistryUnavailableException.class,
        () -> new RegistryAvroSerde<>(ImageFrame.class, new SchemaRegistryClient(registry.url()), false)
            .deserialize("frames", bytes));
    assertTrue(down.getMessage().contains("HTTP 500"), down.getMessage());
    String url = registry.url();
    registry.close();
    assertThrows(SchemaRegistryUnavailableException.class,
        () -> new RegistryAvroSerde<>(ImageFrame.class, new SchemaRegistryClient(url), false)
            .serialize("frames", frame()));
  }

  static byte[] wireFormat(int id, Schema schema, GenericRecord record) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0);
    out.write(ByteBuffer.allocate(4).putInt(id).array());
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
    encoder.flush();
    return out.toByteArray();
  }
}
