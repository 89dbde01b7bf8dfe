package io.segstream.reliability;

import static org.junit.jupiter.api.Assertions.fail;

import io.segstream.config.SegstreamConfig;
import io.segstream.testing.FreshTopics;
import io.segstream.testing.ProcessedOutputs;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameEncoder;
import io.segstream.model.SyntheticScenes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the reliability suite shares: fresh settings per test, input frames numbered by a header, waiting
 * until the processor has committed every input, reading outputs to their end, and tallying what came
 * out per input into the figures table (printed, and appended to target/reliability/figures.md).
 *
 * <p>Every output record carries its input's headers (Kafka Streams forwards them), so the {@link #ID}
 * header identifies the input of a mask, a class-area record or a dead letter, even when a mutated
 * frame has no readable frameSeq.
 */
final class Harness {

  /** Header numbering each input record of a test. */
  static final String ID = "segstream.test.id";
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);

  private Harness() {}

  /** Settings with fresh topics and application id, two partitions, commits as the guarantee implies. */
  static Map<String, Object> freshSettings(String bootstrap, String guarantee) {
    Map<String, Object> props = FreshTopics.settings(bootstrap, "segstream-rel");
    props.put(SegstreamConfig.PROCESSING_GUARANTEE, guarantee);
    return props;
  }

  /** The Avro value of a synthetic {@code width x height} frame. */
  static byte[] syntheticFrame(SegstreamConfig config, String stream, long seq, int width, int height,
      ImageEncoding encoding) {
    ImageFrame frame = new FrameEncoder(encoding).frame(
        stream, seq, Instant.ofEpochMilli(1_750_000_000_000L + seq),
        new SyntheticScenes().generate(seq, width, height).image(), Map.of());
    return frameBytes(config, frame);
  }

  static byte[] frameBytes(SegstreamConfig config, ImageFrame frame) {
    return AvroSerdes.fromConfig(config).forValues(ImageFrame.class).serializer()
        .serialize(config.getString(SegstreamConfig.TOPIC_FRAMES), frame);
  }

  static ProducerRecord<byte[], byte[]> tagged(String topic, String key, byte[] value, long id) {
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(
        topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    record.headers().add(ID, Long.toString(id).getBytes(StandardCharsets.UTF_8));
    return record;
  }

  /**
   * Sends {@code frames} synthetic {@code size x size} PNG frames, ids 0 .. frames-1, round-robin over
   * {@code cameras} cameras ("cam-0", ...), {@code interval} apart, on {@code sender}.
   */
  static Future<Integer> sendFrames(ExecutorService sender, Map<String, Object> client, SegstreamConfig config,
      int frames, int cameras, int size, Duration interval) {
    return sendFrames(sender, client, config, frames, () -> true, 0, cameras, size, interval);
  }

  /**
   * As {@link #sendFrames(ExecutorService, Map, SegstreamConfig, int, int, int, Duration)}, but the
   * stream goes on past {@code atLeast} frames until {@code until} holds, then for {@code thenMore}
   * frames: an event that must happen mid-stream (an instance joining) cannot find it already over.
   * The future gives the number of frames sent.
   */
  static Future<Integer> sendFrames(ExecutorService sender, Map<String, Object> client, SegstreamConfig config,
      int atLeast, BooleanSupplier until, int thenMore, int cameras, int size, Duration interval) {
    String topic = config.getString(SegstreamConfig.TOPIC_FRAMES);
    return sender.submit(() -> {
      try (KafkaProducer<byte[], byte[]> producer = producer(client)) {
        int id = 0;
        while (id < atLeast || !until.getAsBoolean()) {
          sendFrame(producer, topic, config, id++, cameras, size, interval);
        }
        for (int end = id + thenMore; id < end; ) {
          sendFrame(producer, topic, config, id++, cameras, size, interval);
        }
        producer.flush();
        return id;
      }
    });
  }

  private static void sendFrame(KafkaProducer<byte[], byte[]> producer, String topic, SegstreamConfig config,
      int id, int cameras, int size, Duration interval) throws InterruptedException {
    String camera = "cam-" + (id % cameras);
    producer.send(tagged(topic, camera, syntheticFrame(config, camera, id, size, size, ImageEncoding.PNG), id));
    Thread.sleep(interval.toMillis());
  }

  /** A producer that does not lose or duplicate what it was given: idempotent, acks=all. */
  static KafkaProducer<byte[], byte[]> producer(Map<String, Object> client) {
    Map<String, Object> props = new HashMap<>(client);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * The settings every plain client of the test uses: bootstrap and security settings of {@code
   * settings} (the admin client's keys, which all clients share).
   */
  static Map<String, Object> client(Map<String, Object> settings) {
    return new SegstreamConfig(settings).kafkaClientSettings(AdminClientConfig.configNames());
  }

  /**
   * {@link ProcessedOutputs#awaitDrained} for the frames topic, outputs and group of segstream {@code
   * settings}: afterwards every output of every frame sent so far can be read.
   */
  static void awaitDrained(Map<String, Object> settings) throws Exception {
    SegstreamConfig config = new SegstreamConfig(settings);
    ProcessedOutputs.awaitDrained(client(settings), config.getString(SegstreamConfig.APPLICATION_ID),
        config.getString(SegstreamConfig.TOPIC_FRAMES),
        List.of(config.getString(SegstreamConfig.TOPIC_MASKS), config.getString(SegstreamConfig.TOPIC_AREAS),
            config.getString(SegstreamConfig.TOPIC_DLQ)),
        DRAIN_TIMEOUT);
  }

  /** Sum of the group's committed offsets on {@code topic}: inputs it has finished with. */
  static long committed(Map<String, Object> client, String group, String topic) throws Exception {
    try (Admin admin = Admin.create(client)) {
      return ProcessedOutputs.get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()).entrySet().stream()
          .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset()).sum();
    }
  }

  /** Every committed record of {@code topic}, read with isolation.level=read_committed to its end. */
  static List<ConsumerRecord<byte[], byte[]>> readAll(Map<String, Object> client, String topic) throws Exception {
    return ProcessedOutputs.readAll(client, topic, DRAIN_TIMEOUT);
  }

  /** The test id of an output or dead-letter record (its input's {@link #ID} header). */
  static long idOf(ConsumerRecord<byte[], byte[]> record) {
    Header header = record.headers().lastHeader(ID);
    if (header == null) {
      fail("record without " + ID + " header on " + record.topic() + " at " + record.offset());
    }
    return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
  }

  static Map<Long, Integer> countById(List<ConsumerRecord<byte[], byte[]>> records) {
    return countBy(records, Harness::idOf);
  }

  static Map<Long, Integer> countBy(List<ConsumerRecord<byte[], byte[]>> records,
      ToLongFunction<ConsumerRecord<byte[], byte[]>> id) {
    Map<Long, Integer> counts = new TreeMap<>();
    records.forEach(record -> counts.merge(id.applyAsLong(record), 1, Integer::sum));
    return counts;
  }

  /** What came out for the inputs of one scenario. */
  record Tally(String scenario, String guarantee, long sent, Map<Long, Integer> masks,
      Map<Long, Integer> areas, Map<Long, Integer> deadLetters) {

    static Tally of(String scenario, String guarantee, long sent, Map<String, Object> client,
        SegstreamConfig config) throws Exception {
      return new Tally(scenario, guarantee, sent,
          countById(readAll(client, config.getString(SegstreamConfig.TOPIC_MASKS))),
          countById(readAll(client, config.getString(SegstreamConfig.TOPIC_AREAS))),
          countById(readAll(client, config.getString(SegstreamConfig.TOPIC_DLQ))));
    }

    long total(Map<Long, Integer> counts) {
      return counts.values().stream().mapToLong(Integer::longValue).sum();
    }

    /** Records beyond the first per input, over masks, class areas and dead letters. */
    long duplicates() {
      return extra(masks) + extra(areas) + extra(deadLetters);
    }

    private static long extra(Map<Long, Integer> counts) {
      return counts.values().stream().mapToLong(count -> count - 1L).sum();
    }

    /** Inputs (ids 0 .. sent-1) with neither a mask nor a dead letter. */
    List<Long> lost() {
      List<Long> lost = new ArrayList<>();
      for (long id = 0; id < sent; id++) {
        if (!masks.containsKey(id) && !deadLetters.containsKey(id)) {
          lost.add(id);
        }
      }
      return lost;
    }

    /** Inputs with both a mask and a dead letter: each input must end in exactly one of them. */
    Set<Long> bothMaskedAndDeadLettered() {
      return masks.keySet().stream().filter(deadLetters::containsKey).collect(Collectors.toSet());
    }

    String row() {
      return "| " + scenario + " | " + guarantee + " | " + sent + " | " + total(masks) + " | " + total(areas)
          + " | " + total(deadLetters) + " | " + duplicates() + " | " + lost().size() + " |";
    }

    /** Prints the figures and appends them to target/reliability/figures.md. */
    Tally report() {
      System.out.println("FIGURES " + row());
      Path file = Path.of(System.getProperty("segstream.repo.dir", "."), "target", "reliability", "figures.md");
      try {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
          Files.writeString(file, "| scenario | guarantee | frames sent | masks | class areas | DLQ | duplicates | lost |\n"
              + "|---|---|---|---|---|---|---|---|\n");
        }
        Files.writeString(file, row() + "\n", StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }
  }

  /** Polls {@code check} until it holds; fails the test when {@code timeout} passes first. */
  static void await(String what, Duration timeout, ProcessedOutputs.Check check) throws Exception {
    ProcessedOutputs.await(what, timeout, check);
  }
}
