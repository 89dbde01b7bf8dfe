package io.segstream.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameEncoder;
import io.segstream.image.ImageHeaders;
import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import io.segstream.model.SyntheticScenes;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.topology.DeadLetters;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.TestSegmenters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input through a real broker: each kind ends in the dead-letter topic with its reason, and
 * thousands of mutated frames are each accounted for exactly once (a mask or a dead letter) while the
 * processor keeps running.
 */
@Tag("reliability")
@Timeout(180)
class BadInputTest {

  private static final String GUARANTEE = "exactly_once_v2";
  private static final int MAX_FRAME_BYTES = 100_000;
  private static final long MAX_FRAME_PIXELS = 128 * 128;
  private static final Instant CAPTURED = Instant.ofEpochMilli(1_750_000_000_000L);

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();
  private Map<String, Object> settings;
  private SegstreamConfig config;
  private Serde<ImageFrame> frameSerde;
  private SegstreamApp app;

  private void startProcessor() throws Exception {
    settings = Harness.freshSettings(broker.bootstrapServers(), GUARANTEE);
    settings.put(SegstreamConfig.MAX_FRAME_BYTES, MAX_FRAME_BYTES);
    settings.put(SegstreamConfig.MAX_FRAME_PIXELS, MAX_FRAME_PIXELS);
    config = new SegstreamConfig(settings);
    frameSerde = AvroSerdes.fromConfig(config).forValues(ImageFrame.class);
    app = new SegstreamApp(config, TestSegmenters.brightness());
    app.start();
    assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "streams did not reach RUNNING");
  }

  @AfterEach
  void stopProcessor() {
    if (app != null) {
      app.close();
    }
  }

  /** One kind of bad input: its name, the record value, and the code and stage it must fail with. */
  private record Case(String name, String key, byte[] value, String code, String stage) {}

  private byte[] bytes(ImageFrame frame) {
    return frameSerde.serializer().serialize(config.getString(SegstreamConfig.TOPIC_FRAMES), frame);
  }

  private static ImageFrame frame(ImageEncoding encoding, RgbImage image) {
    return new FrameEncoder(encoding).frame("cam-bad", 1, CAPTURED, image, Map.of());
  }

  private static byte[] imageBytes(ImageFrame frame) {
    ByteBuffer image = frame.getImage().duplicate();
    byte[] bytes = new byte[image.remaining()];
    image.get(bytes);
    return bytes;
  }

  private static ImageFrame withImage(ImageFrame frame, ImageEncoding encoding, byte[] image) {
    ImageFrame copy = ImageFrame.newBuilder(frame).build();
    copy.setEncoding(encoding);
    copy.setImage(ByteBuffer.wrap(image));
    return copy;
  }

  private List<Case> catalogue() {
    RgbImage image = new SyntheticScenes().generate(5, 32, 32).image();
    ImageFrame png = frame(ImageEncoding.PNG, image);
    Random random = new Random(7);
    byte[] noise = new byte[500];
    random.nextBytes(noise);
    byte[] header = Arrays.copyOf(bytes(png), 10);
    byte[] headerThenNoise = Arrays.copyOf(header, 10 + noise.length);
    System.arraycopy(noise, 0, headerThenNoise, 10, noise.length);
    byte[] pngBytes = Images.png(image);
    byte[] jpegBytes = Images.jpeg(image, 0.9f);
    ImageFrame wrongWidth = ImageFrame.newBuilder(png).setWidth(33).build();
    ImageFrame negative = ImageFrame.newBuilder(png).setWidth(-32).build();
    ImageFrame rawShort = withImage(frame(ImageEncoding.RAW_RGB8, image), ImageEncoding.RAW_RGB8,
        Arrays.copyOf(image.pixels(), image.pixels().length - 3));
    ImageFrame unknown = ImageFrame.newBuilder(png).setEncoding(ImageEncoding.UNKNOWN).build();
    ImageFrame empty = withImage(png, ImageEncoding.PNG, new byte[0]);
    ImageFrame pngBomb = withImage(png, ImageEncoding.PNG, ImageHeaders.withPngSize(pngBytes, 100_000, 100_000));
    pngBomb.setWidth(100_000);
    pngBomb.setHeight(100_000);
    ImageFrame jpegBomb = withImage(png, ImageEncoding.JPEG,
        ImageHeaders.withJpegSize(Images.jpeg(image, 0.9f), 60_000, 60_000));
    jpegBomb.setWidth(60_000);
    jpegBomb.setHeight(60_000);
    RgbImage big = new SyntheticScenes().generate(6, 200, 200).image();
    ImageFrame tooManyBytes = frame(ImageEncoding.RAW_RGB8, big);
    ImageFrame tooManyPixels = frame(ImageEncoding.PNG, new SyntheticScenes().generate(6, 200, 100).image());
    ImageFrame noStream = ImageFrame.newBuilder(png).setStreamId("").build();
    return List.of(
        new Case("random bytes as Avro", "cam-bad", noise, DeadLetters.BAD_RECORD, "parse"),
        new Case("single-object header, then random bytes", "cam-bad", headerThenNoise, DeadLetters.BAD_RECORD, "parse"),
        new Case("record without a value", "cam-bad", null, DeadLetters.BAD_RECORD, "parse"),
        new Case("empty value", "cam-bad", new byte[0], DeadLetters.BAD_RECORD, "parse"),
        new Case("frame without a stream id", null, bytes(noStream), DeadLetters.BAD_RECORD, "parse"),
        new Case("valid Avro, PNG bytes are noise", "cam-bad", bytes(withImage(png, ImageEncoding.PNG, noise)),
            "UNDECODABLE_IMAGE", "decode"),
        new Case("valid Avro, PNG cut in half", "cam-bad",
            bytes(withImage(png, ImageEncoding.PNG, Arrays.copyOf(pngBytes, pngBytes.length / 2))),
            "CORRUPT_IMAGE", "decode"),
        new Case("valid Avro, JPEG cut in half", "cam-bad",
            bytes(withImage(png, ImageEncoding.JPEG, Arrays.copyOf(jpegBytes, jpegBytes.length / 2))),
            "CORRUPT_IMAGE", "decode"),
        new Case("declared width differs from the PNG", "cam-bad", bytes(wrongWidth), "SIZE_MISMATCH", "decode"),
        new Case("negative declared width", "cam-bad", bytes(negative), "SIZE_MISMATCH", "decode"),
        new Case("RAW_RGB8 three bytes short", "cam-bad", bytes(rawShort), "SIZE_MISMATCH", "decode"),
        new Case("unknown encoding", "cam-bad", bytes(unknown), "UNSUPPORTED_ENCODING", "decode"),
        new Case("empty image", "cam-bad", bytes(empty), "EMPTY_IMAGE", "decode"),
        new Case("tiny PNG claiming 100000x100000", "cam-bad", bytes(pngBomb), "TOO_MANY_PIXELS", "decode"),
        new Case("tiny JPEG claiming 60000x60000", "cam-bad", bytes(jpegBomb), "TOO_MANY_PIXELS", "decode"),
        new Case("120000-byte RAW frame, above max.frame.bytes", "cam-bad", bytes(tooManyBytes), "FRAME_TOO_LARGE", "decode"),
        new Case("200x100 PNG, above max.frame.pixels", "cam-bad", bytes(tooManyPixels), "TOO_MANY_PIXELS", "decode"));
  }

  @Test
  void eachKindOfBadInputIsDeadLetteredWithItsReasonBetweenGoodFrames() throws Exception {
    startProcessor();
    String topic = config.getString(SegstreamConfig.TOPIC_FRAMES);
    List<Case> cases = catalogue();
    Map<Long, Case> expected = new HashMap<>();
    Map<Long, byte[]> sent = new HashMap<>();
    long id = 0;
    try (KafkaProducer<byte[], byte[]> producer = Harness.producer(Harness.client(settings))) {
      for (Case badCase : cases) {
        byte[] good = Harness.syntheticFrame(config, "cam-good", id, 32, 32, ImageEncoding.PNG);
        producer.send(Harness.tagged(topic, "cam-good", good, id++));
        expected.put(id, badCase);
        sent.put(id, badCase.value());
        producer.send(Harness.tagged(topic, badCase.key(), badCase.value(), id++));
      }
    }
    Harness.awaitDrained(settings);

    Harness.Tally tally = Harness.Tally.of("bad-input catalogue (" + cases.size() + " kinds between good frames)",
        GUARANTEE, id, Harness.client(settings), config).report();
    assertEquals(List.of(), tally.lost());
    assertEquals(0, tally.duplicates());
    assertEquals(cases.size(), tally.total(tally.deadLetters()));
    assertEquals(id - cases.size(), tally.total(tally.masks()));
    StringBuilder table = new StringBuilder("| bad input | code | stage | reason (segstream.error.reason) |\n|---|---|---|---|\n");
    for (ConsumerRecord<byte[], byte[]> dead : Harness.readAll(Harness.client(settings), config.getString(SegstreamConfig.TOPIC_DLQ))) {
      Case badCase = expected.get(Harness.idOf(dead));
      assertNotNull(badCase, "dead letter for a good frame: " + DeadLetters.header(dead.headers(), DeadLetters.REASON));
      String reason = DeadLetters.header(dead.headers(), DeadLetters.REASON);
      assertEquals(badCase.code(), DeadLetters.header(dead.headers(), DeadLetters.CODE), badCase.name() + ": " + reason);
      assertEquals(badCase.stage(), DeadLetters.header(dead.headers(), DeadLetters.STAGE), badCase.name());
      assertFalse(reason == null || reason.isBlank(), badCase.name());
      assertEquals(topic, DeadLetters.header(dead.headers(), DeadLetters.SOURCE_TOPIC));
      byte[] original = sent.get(Harness.idOf(dead));
      assertArrayEquals(original, dead.value(), badCase.name() + ": the dead letter carries the original bytes");
      table.append("| ").append(badCase.name()).append(" | ").append(badCase.code()).append(" | ")
          .append(badCase.stage()).append(" | ").append(reason.replace("|", "\\|")).append(" |\n");
    }
    assertTrue(tally.masks().keySet().stream().noneMatch(expected::containsKey), "a bad input got a mask");
    assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
    System.out.print(table);
    write("dead-letter-catalogue.md", table.toString());
    assertTrue(table.toString().contains("100000x100000 = 10000000000 pixels"),
        "the PNG bomb was refused from its header: " + table);
  }

  @Test
  void thousandsOfMutatedFramesAreEachAccountedForExactlyOnce() throws Exception {
    startProcessor();
    String topic = config.getString(SegstreamConfig.TOPIC_FRAMES);
    Random random = new Random(20_240_601L);
    List<ImageFrame> valid = new ArrayList<>();
    ImageEncoding[] encodings = {ImageEncoding.PNG, ImageEncoding.JPEG, ImageEncoding.RAW_RGB8};
    for (int i = 0; i < 24; i++) {
      RgbImage image = new SyntheticScenes().generate(100 + i, i % 2 == 0 ? 32 : 24, i % 3 == 0 ? 32 : 16).image();
      valid.add(new FrameEncoder(encodings[i % 3]).frame("cam-" + (i % 4), i, CAPTURED, image, Map.of("i", "" + i)));
    }
    int frames = 3000;
    Map<String, Integer> mutations = new TreeMap<>();
    try (KafkaProducer<byte[], byte[]> producer = Harness.producer(Harness.client(settings))) {
      for (long id = 0; id < frames; id++) {
        ImageFrame base = valid.get(random.nextInt(valid.size()));
        Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
        mutations.merge(mutation.name(), 1, Integer::sum);
        byte[] value = mutation.apply(this, base, random);
        String key = random.nextInt(20) == 0 ? null : base.getStreamId();
        producer.send(Harness.tagged(topic, key, value, id));
      }
    }
    Harness.awaitDrained(settings);

    Harness.Tally tally = Harness.Tally.of("fuzz: " + frames + " mutated frames (seeded)", GUARANTEE, frames,
        Harness.client(settings), config).report();
    Map<String, Integer> codes = new TreeMap<>();
    Harness.readAll(Harness.client(settings), config.getString(SegstreamConfig.TOPIC_DLQ))
        .forEach(dead -> codes.merge(DeadLetters.header(dead.headers(), DeadLetters.CODE), 1, Integer::sum));
    System.out.println("fuzz mutations " + mutations + "; dead-letter codes " + codes);
    write("fuzz.md", "mutations: " + mutations + "\n\ndead-letter codes: " + codes + "\n");
    assertEquals(List.of(), tally.lost(), "inputs with neither a mask nor a dead letter");
    assertEquals(0, tally.duplicates(), "inputs with more than one output of a kind");
    assertTrue(tally.bothMaskedAndDeadLettered().isEmpty(), "inputs both masked and dead-lettered");
    assertEquals(tally.masks(), tally.areas(), "one class-area record per mask");
    assertEquals(frames, tally.total(tally.masks()) + tally.total(tally.deadLetters()));
    assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
    // The mutations must exercise both outcomes and more than one way of failing.
    assertTrue(tally.total(tally.masks()) > 100 && codes.size() >= 4, "masks " + tally.masks().size() + ", codes " + codes);
  }

  /** Ways of damaging a valid frame. */
  private enum Mutation {
    /** 1 to 8 random bits of the record flipped. */
    BIT_FLIPS {
      @Override
      byte[] apply(BadInputTest test, ImageFrame frame, Random random) {
        byte[] value = test.bytes(frame);
        for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
          value[random.nextInt(value.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return value;
      }
    },
    /** The record cut short. */
    TRUNCATION {
      @Override
      byte[] apply(BadInputTest test, ImageFrame frame, Random random) {
        byte[] value = test.bytes(frame);
        return Arrays.copyOf(value, random.nextInt(value.length));
      }
    },
    /** Random bytes spliced into the record. */
    SPLICE {
      @Override
      byte[] apply(BadInputTest test, ImageFrame frame, Random random) {
        byte[] value = test.bytes(frame);
        byte[] noise = new byte[1 + random.nextInt(16)];
        random.nextBytes(noise);
        int at = random.nextInt(value.length);
        byte[] out = new byte[value.length + noise.length];
        System.arraycopy(value, 0, out, 0, at);
        System.arraycopy(noise, 0, out, at, noise.length);
        System.arraycopy(value, at, out, at + noise.length, value.length - at);
        return out;
      }
    },
    /** A frame field set to an odd value: size, encoding, stream id. */
    FIELD {
      @Override
      byte[] apply(BadInputTest test, ImageFrame frame, Random random) {
        ImageFrame copy = ImageFrame.newBuilder(frame).build();
        int[] sizes = {0, -1, 1, 31, 33, 65_535, 1 << 20, Integer.MAX_VALUE, Integer.MIN_VALUE};
        switch (random.nextInt(4)) {
          case 0 -> copy.setWidth(sizes[random.nextInt(sizes.length)]);
          case 1 -> copy.setHeight(sizes[random.nextInt(sizes.length)]);
          case 2 -> copy.setEncoding(ImageEncoding.values()[random.nextInt(ImageEncoding.values().length)]);
          default -> copy.setStreamId(random.nextBoolean() ? "" : "x".repeat(random.nextInt(1000)));
        }
        return test.bytes(copy);
      }
    },
    /** The image's own header (PNG IHDR, JPEG SOF) or RAW length changed; the record stays valid Avro. */
    IMAGE_HEADER {
      @Override
      byte[] apply(BadInputTest test, ImageFrame frame, Random random) {
        byte[] image = imageBytes(frame);
        int width = random.nextBoolean() ? random.nextInt(200) : random.nextInt(65_536);
        int height = random.nextBoolean() ? random.nextInt(200) : random.nextInt(65_536);
        byte[] damaged = switch (frame.getEncoding()) {
          case PNG -> ImageHeaders.withPngSize(image, width, height);
          case JPEG -> ImageHeaders.withJpegSize(image, width, height);
          default -> Arrays.copyOf(image, Math.max(0, image.length + random.nextInt(7) - 3));
        };
        ImageFrame copy = withImage(frame, frame.getEncoding(), damaged);
        if (random.nextBoolean()) {
          copy.setWidth(width);
          copy.setHeight(height);
        }
        return test.bytes(copy);
      }
    },
    /** Bits flipped inside the encoded image only; the record stays valid Avro. */
    IMAGE_BITS {
      @Override
      byte[] apply(BadInputTest test, ImageFrame frame, Random random) {
        byte[] image = imageBytes(frame);
        for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
          image[random.nextInt(image.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return test.bytes(withImage(frame, frame.getEncoding(), image));
      }
    };

    abstract byte[] apply(BadInputTest test, ImageFrame frame, Random random);
  }

  private static void write(String name, String content) {
    Path file = Path.of(System.getProperty("segstream.repo.dir", "."), "target", "reliability", name);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
