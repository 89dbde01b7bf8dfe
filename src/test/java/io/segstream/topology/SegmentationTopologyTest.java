package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.MaskEncoding;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.contracts.serde.FakeSchemaRegistry;
import io.segstream.contracts.serde.SchemaRegistryUnavailableException;
import io.segstream.image.FrameEncoder;
import io.segstream.image.FrameRejectedException;
import io.segstream.image.ImageProbe;
import io.segstream.image.Images;
import io.segstream.image.MaskCodec;
import io.segstream.image.RgbImage;
import io.segstream.image.TestPhotos;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import io.segstream.model.GroundTruthSegmenter;
import io.segstream.model.SyntheticScenes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SegmentationTopologyTest {

  private static final int W = 64;
  private static final int H = 48;
  private static final Instant CAPTURED = Instant.ofEpochMilli(1_750_000_000_000L);

  private final SyntheticScenes scenes = new SyntheticScenes();
  private final Map<String, Object> settings = new HashMap<>(Map.of(
      SegstreamConfig.MAX_FRAME_BYTES, 100_000,
      SegstreamConfig.MAX_FRAME_PIXELS, 128L * 128L));
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> frames;
  private TestOutputTopic<String, SegmentationMask> masks;
  private TestOutputTopic<String, ClassAreas> areas;
  private TestOutputTopic<byte[], byte[]> deadLetters;
  private Serde<ImageFrame> frameSerde;

  private final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  private void start(Segmenter segmenter) {
    SegstreamConfig config = new SegstreamConfig(settings);
    // Per-frame work on the piping thread, so each frame's results are out when pipeInput returns.
    SegstreamApp app = new SegstreamApp(config, segmenter, new io.segstream.ops.FrameMetrics(registry), Runnable::run);
    driver = new TopologyTestDriver(app.topology(), app.streamsProperties());
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    frameSerde = serdes.forValues(ImageFrame.class);
    Topics topics = Topics.fromConfig(config);
    frames = driver.createInputTopic(topics.frames(), new ByteArraySerializer(), new ByteArraySerializer());
    masks = driver.createOutputTopic(topics.masks(), new StringDeserializer(),
        serdes.forValues(SegmentationMask.class).deserializer());
    areas = driver.createOutputTopic(topics.areas(), new StringDeserializer(),
        serdes.forValues(ClassAreas.class).deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] bytes(ImageFrame frame) {
    return frameSerde.serializer().serialize("frames", frame);
  }

  private ImageFrame pngFrame(String stream, long seq, RgbImage image) {
    return new FrameEncoder(ImageEncoding.PNG).frame(stream, seq, CAPTURED, image, Map.of("source", "test"));
  }

  private void pipe(String key, byte[] value) {
    frames.pipeInput(new TestRecord<>(key == null ? null : utf8(key), value, new RecordHeaders(), CAPTURED));
  }

  @Test
  void theTopologyHasNoStateStores() {
    // The runtime image leaves RocksDB out (pom.xml, copy-run-libs): Kafka Streams loads it only for stores.
    SegstreamApp app = new SegstreamApp(new SegstreamConfig(settings), new GroundTruthSegmenter());
    org.apache.kafka.streams.TopologyDescription description = app.topology().describe();
    assertEquals(java.util.List.of(), description.globalStores().stream().map(Object::toString).toList());
    description.subtopologies().forEach(subtopology -> subtopology.nodes().forEach(node -> {
      if (node instanceof org.apache.kafka.streams.TopologyDescription.Processor processor) {
        assertEquals(java.util.Set.of(), processor.stores(), processor.name());
      }
    }));
  }

  @Test
  void goodFrameYieldsMaskAndClassAreasThatMatchGroundTruth() throws Exception {
    SyntheticScenes.Scene scene = scenes.generate(11, W, H);
    start(new GroundTruthSegmenter().register(scene));

    pipe("cam-1", bytes(pngFrame("cam-1", 5, scene.image())));

    TestRecord<String, SegmentationMask> maskRecord = masks.readRecord();
    assertEquals("cam-1", maskRecord.key());
    SegmentationMask mask = maskRecord.value();
    assertEquals("cam-1", mask.getStreamId());
    assertEquals(5, mask.getFrameSeq());
    assertEquals(CAPTURED, mask.getCaptureTimestamp());
    assertEquals("ground-truth", mask.getModelName());
    assertEquals(SyntheticScenes.CLASS_LABELS, mask.getClassLabels());
    assertEquals(MaskEncoding.PNG_GRAY8, mask.getMaskEncoding());
    assertEquals(W, mask.getWidth());
    assertEquals(H, mask.getHeight());
    assertTrue(mask.getProcessingLatencyMs() >= mask.getInferenceLatencyMs(), mask.toString());
    MaskCodec.Mask decoded = MaskCodec.decode(mask);
    assertArrayEquals(scene.labels(), decoded.classIds());

    ClassAreas classAreas = areas.readValue();
    assertEquals(5, classAreas.getFrameSeq());
    assertEquals(expectedAreas(scene), classAreas.getAreas());
    assertTrue(deadLetters.isEmpty());
    assertTrue(masks.isEmpty());
  }

  /** Class areas computed the slow, obvious way from the ground truth. */
  private static List<ClassArea> expectedAreas(SyntheticScenes.Scene scene) {
    List<ClassArea> expected = MaskStatisticsTest.pixelByPixel(W, H, scene.labels(), SyntheticScenes.CLASS_LABELS);
    assertTrue(expected.size() >= 2, "scene should hold background and a shape");
    return expected;
  }

  @Test
  void jpegAndRawFramesAreDecodedAndSegmented() throws Exception {
    start(TestSegmenters.brightness());
    // Left half black, right half white; the edge sits on a JPEG block boundary, so it stays sharp.
    byte[] pixels = new byte[W * H * 3];
    for (int y = 0; y < H; y++) {
      for (int x = W / 2; x < W; x++) {
        java.util.Arrays.fill(pixels, (y * W + x) * 3, (y * W + x) * 3 + 3, (byte) 255);
      }
    }
    RgbImage halves = new RgbImage(W, H, pixels);
    pipe("cam-j", bytes(new FrameEncoder(ImageEncoding.JPEG).frame("cam-j", 1, CAPTURED, halves, Map.of())));
    pipe("cam-r", bytes(new FrameEncoder(ImageEncoding.RAW_RGB8).frame("cam-r", 2, CAPTURED, halves, Map.of())));

    for (SegmentationMask mask : masks.readValuesToList()) {
      MaskCodec.Mask decoded = MaskCodec.decode(mask);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          assertEquals(x < W / 2 ? 0 : 1, decoded.classAt(x, y), mask.getStreamId() + " at " + x + "," + y);
        }
      }
    }
    List<ClassAreas> all = areas.readValuesToList();
    assertEquals(2, all.size());
    ClassArea bright = all.get(0).getAreas().get(1);
    assertEquals("bright", bright.getLabel());
    assertEquals(W * H / 2, bright.getPixelCount());
    assertEquals(List.of(W / 2, 0, W - 1, H - 1),
        List.of(bright.getMinX(), bright.getMinY(), bright.getMaxX(), bright.getMaxY()));
    assertTrue(deadLetters.isEmpty());
  }

  @Test
  void recordThatIsNotAnImageFrameIsDeadLetteredUnchanged() {
    start(TestSegmenters.brightness());
    byte[] value = utf8("{\"not\": \"avro\"}");
    Headers headers = new RecordHeaders().add("trace-id", utf8("abc"));
    frames.pipeInput(new TestRecord<>(utf8("cam-x"), value, headers, CAPTURED));

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertArrayEquals(utf8("cam-x"), dead.key());
    assertArrayEquals(value, dead.value());
    assertEquals("abc", DeadLetters.header(dead.headers(), "trace-id"));
    assertEquals(DeadLetters.BAD_RECORD, DeadLetters.header(dead.headers(), DeadLetters.CODE));
    assertEquals("parse", DeadLetters.header(dead.headers(), DeadLetters.STAGE));
    assertTrue(DeadLetters.header(dead.headers(), DeadLetters.REASON).startsWith("cannot read ImageFrame"));
    assertEquals("org.apache.kafka.common.errors.SerializationException",
        DeadLetters.header(dead.headers(), DeadLetters.EXCEPTION));
    assertEquals("frames", DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC));
    assertEquals("0", DeadLetters.header(dead.headers(), DeadLetters.SOURCE_PARTITION));
    assertEquals("0", DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET));
    assertTrue(masks.isEmpty());
    assertTrue(areas.isEmpty());
  }

  @Test
  void recordWithoutValueIsDeadLettered() {
    start(TestSegmenters.brightness());
    pipe("cam-x", null);
    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertEquals(DeadLetters.BAD_RECORD, DeadLetters.header(dead.headers(), DeadLetters.CODE));
    assertEquals("record has no value", DeadLetters.header(dead.headers(), DeadLetters.REASON));
  }

  @ParameterizedTest
  @EnumSource(io.segstream.image.FrameRejectedException.Reason.class)
  void undecodableFrameIsDeadLetteredWithItsReason(io.segstream.image.FrameRejectedException.Reason reason) {
    start(TestSegmenters.brightness());
    RgbImage image = scenes.generate(3, W, H).image();
    ImageFrame frame = pngFrame("cam-bad", 9, image);
    switch (reason) {
      case EMPTY_IMAGE -> frame.setImage(ByteBuffer.allocate(0));
      case FRAME_TOO_LARGE -> {
        frame.setEncoding(ImageEncoding.RAW_RGB8);
        frame.setImage(ByteBuffer.wrap(new byte[100_001]));
      }
      case TOO_MANY_PIXELS -> {
        RgbImage big = scenes.generate(3, 200, 100).image();
        frame = pngFrame("cam-bad", 9, big);
      }
      case SIZE_MISMATCH -> frame.setWidth(W + 1);
      case UNSUPPORTED_ENCODING -> frame.setEncoding(ImageEncoding.UNKNOWN);
      case UNDECODABLE_IMAGE -> frame.setEncoding(ImageEncoding.JPEG);
      case CORRUPT_IMAGE -> {
        byte[] jpeg = Images.jpeg(image, 0.9f);
        frame.setEncoding(ImageEncoding.JPEG);
        frame.setImage(ByteBuffer.wrap(java.util.Arrays.copyOf(jpeg, jpeg.length / 2)));
      }
      default -> throw new IllegalStateException("no case for " + reason);
    }
    byte[] value = bytes(frame);
    pipe("cam-bad", value);

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertArrayEquals(value, dead.value());
    assertArrayEquals(utf8("cam-bad"), dead.key());
    assertEquals(reason.name(), DeadLetters.header(dead.headers(), DeadLetters.CODE));
    assertEquals("decode", DeadLetters.header(dead.headers(), DeadLetters.STAGE));
    assertNotNull(DeadLetters.header(dead.headers(), DeadLetters.REASON));
    assertTrue(masks.isEmpty());
  }

  @Test
  void modelFailuresAreDeadLettered() {
    SyntheticScenes.Scene scene = scenes.generate(4, W, H);
    Segmentation wrongSize = new Segmentation(W / 2, H, new byte[W / 2 * H], new float[2], 0);
    byte[] badIds = new byte[W * H];
    badIds[W + 3] = 7;
    Segmentation unknownClass = new Segmentation(W, H, badIds, new float[2], 0);
    int[] call = {0};
    start(TestSegmenters.of(TestSegmenters.BRIGHTNESS_MODEL, image -> switch (call[0]++) {
      case 0 -> throw new SegmentationException("GPU fell off the bus");
      case 1 -> wrongSize;
      default -> unknownClass;
    }));
    for (int i = 0; i < 3; i++) {
      pipe("cam-m", bytes(pngFrame("cam-m", i, scene.image())));
    }

    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(3, dead.size());
    for (TestRecord<byte[], byte[]> record : dead) {
      assertEquals(DeadLetters.MODEL_ERROR, DeadLetters.header(record.headers(), DeadLetters.CODE));
      assertEquals("segment", DeadLetters.header(record.headers(), DeadLetters.STAGE));
    }
    assertEquals("segmentation failed: GPU fell off the bus",
        DeadLetters.header(dead.get(0).headers(), DeadLetters.REASON));
    assertEquals("io.segstream.inference.SegmentationException",
        DeadLetters.header(dead.get(0).headers(), DeadLetters.EXCEPTION));
    assertTrue(DeadLetters.header(dead.get(1).headers(), DeadLetters.REASON).contains("32x48 mask for a 64x48 frame"));
    assertTrue(DeadLetters.header(dead.get(2).headers(), DeadLetters.REASON).contains("class id 7 at (3,1)"));
    assertTrue(masks.isEmpty());
    assertTrue(areas.isEmpty());
  }

  @Test
  void unexpectedErrorIsDeadLetteredByTheProcessingExceptionHandler() {
    SyntheticScenes.Scene scene = scenes.generate(4, W, H);
    // A segmenter bug: null instead of a result, so the pipeline fails where nothing expects it.
    start(TestSegmenters.of(TestSegmenters.BRIGHTNESS_MODEL, image -> null));
    byte[] value = bytes(pngFrame("cam-n", 1, scene.image()));
    pipe("cam-n", value);

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertArrayEquals(value, dead.value());
    assertArrayEquals(utf8("cam-n"), dead.key());
    assertEquals(DeadLetters.UNEXPECTED_ERROR, DeadLetters.header(dead.headers(), DeadLetters.CODE));
    assertEquals(SegmentationTopology.SEGMENT, DeadLetters.header(dead.headers(), DeadLetters.STAGE));
    assertEquals("java.lang.NullPointerException", DeadLetters.header(dead.headers(), DeadLetters.EXCEPTION));
  }

  @Test
  void keepsProcessingAfterBadInput() throws Exception {
    SyntheticScenes.Scene first = scenes.generate(21, W, H);
    SyntheticScenes.Scene second = scenes.generate(22, W, H);
    start(new GroundTruthSegmenter().register(first).register(second));

    pipe("cam-1", utf8("garbage"));
    pipe("cam-1", bytes(pngFrame("cam-1", 1, first.image())));
    ImageFrame truncated = pngFrame("cam-1", 2, first.image());
    truncated.setImage(ByteBuffer.wrap(Images.png(first.image()), 0, 100).slice());
    pipe("cam-1", bytes(truncated));
    pipe("cam-2", bytes(pngFrame("cam-2", 3, second.image())));

    List<TestRecord<String, SegmentationMask>> out = masks.readRecordsToList();
    assertEquals(List.of("cam-1", "cam-2"), out.stream().map(TestRecord::key).toList());
    assertEquals(List.of(1L, 3L), out.stream().map(r -> r.value().getFrameSeq()).toList());
    assertArrayEquals(second.labels(), MaskCodec.decode(out.get(1).value()).classIds());
    assertEquals(2, areas.readValuesToList().size());
    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(List.of("0", "2"),
        dead.stream().map(r -> DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET)).toList());
    assertEquals(List.of(DeadLetters.BAD_RECORD, "CORRUPT_IMAGE"),
        dead.stream().map(r -> DeadLetters.header(r.headers(), DeadLetters.CODE)).toList());
  }

  @Test
  void aTruncatedPhotoIsDeadLetteredAndTheNextFrameStillGetsAMask() throws Exception {
    byte[] messi = TestPhotos.read("messi5.jpg");
    ImageProbe probe = ImageProbe.probe(messi);
    settings.put(SegstreamConfig.MAX_FRAME_PIXELS, (long) probe.width() * probe.height());
    start(TestSegmenters.brightness());
    byte[] cut = bytes(FrameEncoder.encoded("cam-p", 1, CAPTURED, ImageEncoding.JPEG,
        java.util.Arrays.copyOf(messi, messi.length / 2), probe.width(), probe.height(), Map.of()));
    byte[] whole = bytes(FrameEncoder.encoded("cam-p", 2, CAPTURED, ImageEncoding.JPEG, messi,
        probe.width(), probe.height(), Map.of()));
    Headers traced = new RecordHeaders().add("trace-id", utf8("t-1"));
    frames.pipeInput(new TestRecord<>(utf8("cam-p"), cut, traced, CAPTURED));
    pipe("cam-p", whole);

    TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
    assertArrayEquals(cut, dead.value(), "the dead letter carries the original record");
    assertArrayEquals(utf8("cam-p"), dead.key());
    assertEquals("t-1", DeadLetters.header(dead.headers(), "trace-id"));
    assertEquals("CORRUPT_IMAGE", DeadLetters.header(dead.headers(), DeadLetters.CODE));
    assertEquals("decode", DeadLetters.header(dead.headers(), DeadLetters.STAGE));
    String reason = DeadLetters.header(dead.headers(), DeadLetters.REASON);
    assertTrue(reason.contains("Truncated File - Missing EOI marker"), reason);
    assertEquals(FrameRejectedException.class.getName(), DeadLetters.header(dead.headers(), DeadLetters.EXCEPTION));
    assertEquals("0", DeadLetters.header(dead.headers(), DeadLetters.SOURCE_OFFSET));
    assertTrue(deadLetters.isEmpty());

    List<SegmentationMask> out = masks.readValuesToList();
    assertEquals(List.of(2L), out.stream().map(SegmentationMask::getFrameSeq).toList());
    assertEquals(probe.width(), out.get(0).getWidth());
    assertEquals(probe.height(), out.get(0).getHeight());
  }

  @Test
  void anUnavailableRegistryStopsProcessingInsteadOfDeadLetteringGoodFrames() throws Exception {
    byte[] value;
    try (FakeSchemaRegistry registry = new FakeSchemaRegistry()) {
      settings.put(SegstreamConfig.SCHEMA_REGISTRY_URL, registry.url());
      start(TestSegmenters.brightness());
      value = bytes(pngFrame("cam-1", 1, scenes.generate(1, W, H).image()));
      registry.failing = true;
      assertThrows(StreamsException.class, () -> pipe("cam-1", value));
    }
    assertTrue(deadLetters.isEmpty());
    assertTrue(masks.isEmpty());
  }

  @Test
  void aRegistryRefusingTheOutputSchemaStopsProcessingInsteadOfDeadLetteringEveryFrame() throws Exception {
    try (FakeSchemaRegistry registry = new FakeSchemaRegistry()) {
      settings.put(SegstreamConfig.SCHEMA_REGISTRY_URL, registry.url());
      SyntheticScenes.Scene scene = scenes.generate(33, W, H);
      start(new GroundTruthSegmenter().register(scene));
      byte[] value = bytes(pngFrame("cam-1", 1, scene.image()));
      // As when masks-value holds a schema the compiled-in one is incompatible with (HTTP 409).
      registry.refusingRegistrations = true;
      StreamsException stopped = assertThrows(StreamsException.class, () -> pipe("cam-1", value));
      Throwable cause = stopped;
      while (cause != null && !(cause instanceof SchemaRegistryUnavailableException)) {
        cause = cause.getCause();
      }
      assertTrue(cause != null && cause.getMessage().contains("HTTP 409"), () -> "cause chain of " + stopped);
    }
    assertTrue(deadLetters.isEmpty());
    assertTrue(masks.isEmpty());
  }

  @Test
  void withARegistryFramesAndMasksUseTheConfluentWireFormat() throws Exception {
    try (FakeSchemaRegistry registry = new FakeSchemaRegistry()) {
      settings.put(SegstreamConfig.SCHEMA_REGISTRY_URL, registry.url());
      SyntheticScenes.Scene scene = scenes.generate(31, W, H);
      start(new GroundTruthSegmenter().register(scene));

      byte[] value = bytes(pngFrame("cam-1", 1, scene.image()));
      assertEquals(0, value[0], "magic byte of the Confluent wire format");
      pipe("cam-1", value);

      assertArrayEquals(scene.labels(),
          MaskCodec.decode(masks.readValue()).classIds());
      assertEquals(List.of("frames-value", "masks-value", "class-areas-value"), registry.subjects());
    }
  }

  private double frames(String outcome) {
    return registry.get(io.segstream.ops.FrameMetrics.FRAMES).tag("outcome", outcome).counter().count();
  }

  @Test
  void framesAboveTheCameraRateCapAreSkippedAndCountedNotDeadLettered() {
    settings.put(SegstreamConfig.MAX_FPS_PER_STREAM, 5.0);
    SyntheticScenes.Scene scene = scenes.generate(31, W, H);
    start(new GroundTruthSegmenter().register(scene));
    // Camera a: 10 frames 50 ms apart (20 fps) -> one per 200 ms kept; camera b: 2 frames 1 s apart.
    for (int i = 0; i < 10; i++) {
      ImageFrame frame = pngFrame("a", i, scene.image());
      frame.setCaptureTimestamp(CAPTURED.plusMillis(50L * i));
      pipe("a", bytes(frame));
    }
    for (int i = 0; i < 2; i++) {
      ImageFrame frame = pngFrame("b", 100 + i, scene.image());
      frame.setCaptureTimestamp(CAPTURED.plusMillis(1000L * i));
      pipe("b", bytes(frame));
    }
    List<TestRecord<String, SegmentationMask>> out = masks.readRecordsToList();
    assertEquals(List.of(0L, 4L, 8L, 100L, 101L), out.stream().map(r -> r.value().getFrameSeq()).toList());
    assertTrue(deadLetters.isEmpty());
    assertEquals(5.0, frames("segmented"));
    assertEquals(7.0, frames("skipped"));
    assertEquals(0.0, frames("dead_lettered"));
  }

  @Test
  void everyFrameReadIsCountedOnceByOutcome() {
    SyntheticScenes.Scene scene = scenes.generate(32, W, H);
    start(new GroundTruthSegmenter().register(scene));
    pipe("cam-1", utf8("not avro"));
    pipe("cam-1", bytes(pngFrame("cam-1", 1, scene.image())));
    ImageFrame truncated = pngFrame("cam-1", 2, scene.image());
    truncated.setImage(ByteBuffer.wrap(Images.png(scene.image()), 0, 50).slice());
    pipe("cam-1", bytes(truncated));
    assertEquals(1.0, frames("segmented"));
    assertEquals(2.0, frames("dead_lettered"));
    assertEquals(0.0, frames("skipped"));
  }
}
