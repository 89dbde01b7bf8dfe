package io.segstream.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.testing.ProcessedOutputs;
import io.segstream.inference.ColourModel;
import io.segstream.ops.EmbeddedKafkaBroker;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.TestSegmenters;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A processor killed with SIGKILL mid-stream, with frames in flight, and restarted, at default
 * settings: every frame still gets its mask and class areas, exactly once under exactly_once_v2, at
 * least once under at_least_once, and under exactly_once_v2 read_committed readers see new masks
 * within 20 s of the kill (the dead instance's open transaction times out at Kafka Streams' 10 s).
 *
 * <p>The processor is a separate JVM running {@code segstream run} with a real TensorFlow model (the
 * trained models/fcn-default when the checkout has it, else a tiny exported one), so the kill is a
 * real crash: no shutdown hook, no final commit, an open transaction left behind.
 */
@Tag("reliability")
@Timeout(300)
class CrashRecoveryTest {

  private static final int FRAMES = 600;
  private static final Duration FRAME_INTERVAL = Duration.ofMillis(10);
  /** Kill once the first instance has committed this many frames. */
  private static final int KILL_AFTER_COMMITTED = 150;
  /**
   * Then wait about half the at-least-once commit interval: a crash right after a commit would leave
   * next to nothing to replay, which is not the typical case.
   */
  private static final Duration KILL_DELAY = Duration.ofMillis(500);
  private static final Duration CHILD_READY_TIMEOUT = Duration.ofSeconds(90);
  /** The bound on how long a crash may hide new masks from read_committed readers. */
  private static final Duration NEW_MASKS_WITHIN = Duration.ofSeconds(20);

  private static EmbeddedKafkaBroker broker;
  @TempDir static Path shared;
  private static Path modelDir;

  @BeforeAll
  static void start() throws IOException {
    // Abort a dead instance's transaction soon after its timeout, rather than up to 10 s later.
    broker = EmbeddedKafkaBroker.start(Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"));
    Path trained = Path.of(System.getProperty("segstream.repo.dir", "."), "models", "fcn-default");
    modelDir = Files.isRegularFile(trained.resolve("saved_model.pb"))
        ? trained
        : ColourModel.export(shared.resolve("colour"), ColourModel.Outputs.PROBABILITIES_AND_CLASSES);
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
  void aKilledProcessorRestartsWithoutLosingFrames(String guarantee, @TempDir Path dir) throws Exception {
    int httpPort = freePort();
    Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers(), guarantee);
    settings.put(SegstreamConfig.MODEL_DIR, modelDir.toString());
    settings.put(SegstreamConfig.DEVICES, "cpu");
    settings.put(SegstreamConfig.MODEL_POLL_MS, 0L);
    settings.put(SegstreamConfig.HTTP_PORT, httpPort);
    // The restarted instance gets the partitions once the dead one's session expires.
    settings.put("session.timeout.ms", 6000);
    settings.put("heartbeat.interval.ms", 1000);
    // Nothing else is set: the inference timeout, retries, window and transaction timeout are the defaults.
    SegstreamConfig config = new SegstreamConfig(settings);
    Map<String, Object> client = Harness.client(settings);
    String frames = config.getString(SegstreamConfig.TOPIC_FRAMES);
    String group = config.getString(SegstreamConfig.APPLICATION_ID);
    // Partitions must exist before the producer writes (auto-creation would make one).
    new SegstreamApp(config, TestSegmenters.brightness()).createMissingTopics(Duration.ofSeconds(30));
    Path propertiesFile = dir.resolve("segstream.properties");
    Properties properties = new Properties();
    settings.forEach((key, value) -> properties.setProperty(key, value.toString()));
    try (OutputStream out = Files.newOutputStream(propertiesFile)) {
      properties.store(out, "crash test");
    }

    System.out.println("processor model: " + modelDir);
    ExecutorService sender = Executors.newSingleThreadExecutor();
    Process first = startProcessor(propertiesFile, dir.resolve("first.log"));
    Process second = null;
    try {
      awaitReady(first, httpPort, dir.resolve("first.log"));
      Future<?> sending = Harness.sendFrames(sender, client, config, FRAMES, 2, 64, FRAME_INTERVAL);
      Harness.await("the first instance to commit " + KILL_AFTER_COMMITTED + " frames", Duration.ofSeconds(60),
          () -> Harness.committed(client, group, frames) >= KILL_AFTER_COMMITTED);
      Thread.sleep(KILL_DELAY.toMillis());
      first.destroyForcibly().waitFor();
      long killedNanos = System.nanoTime();
      try (NewRecords masksAfterKill = new NewRecords(client, config.getString(SegstreamConfig.TOPIC_MASKS))) {
        long committedAtKill = Harness.committed(client, group, frames);
        System.out.println("killed the first instance (SIGKILL) with " + committedAtKill + " of " + FRAMES
            + " frames committed, " + (sending.isDone() ? "all" : "not all") + " sent");
        assertTrue(committedAtKill < FRAMES, "the kill came after the stream had been processed");

        second = startProcessor(propertiesFile, dir.resolve("second.log"));
        Duration gap = masksAfterKill.awaitFirst(killedNanos, Duration.ofSeconds(90));
        System.out.println("FIGURES kill -> first new mask for read_committed readers (" + guarantee + "): "
            + gap.toMillis() + " ms");
        if ("exactly_once_v2".equals(guarantee)) {
          assertTrue(gap.compareTo(NEW_MASKS_WITHIN) <= 0,
              "read_committed readers waited " + gap.toMillis() + " ms for new masks after the kill");
        }
      }
      sending.get();
      Harness.awaitDrained(settings);
      assertTrue(second.isAlive(), "the restarted processor is running");
    } finally {
      sender.shutdownNow();
      first.destroyForcibly();
      if (second != null) {
        second.destroyForcibly().waitFor();
      }
    }

    Harness.Tally tally = Harness.Tally.of("crash (SIGKILL) and restart", guarantee, FRAMES, client, config).report();
    assertEquals(List.of(), tally.lost(), "frames without a mask");
    assertEquals(0, tally.total(tally.deadLetters()), "dead letters");
    for (long id = 0; id < FRAMES; id++) {
      int masks = tally.masks().getOrDefault(id, 0);
      int areas = tally.areas().getOrDefault(id, 0);
      if ("exactly_once_v2".equals(guarantee)) {
        assertEquals(1, masks, "masks of frame " + id);
        assertEquals(1, areas, "class areas of frame " + id);
      } else {
        assertTrue(masks >= 1 && areas >= 1, "frame " + id + ": " + masks + " masks, " + areas + " areas");
      }
    }
  }

  /**
   * A read_committed reader of a topic positioned, when opened, at what readers could see then (the
   * last stable offset: behind an open transaction of the killed instance), waiting for what comes next.
   */
  private static final class NewRecords implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;

    NewRecords(Map<String, Object> client, String topic) throws Exception {
      Map<String, Object> props = new HashMap<>(client);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
      consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      try (Admin admin = Admin.create(client)) {
        List<TopicPartition> partitions = ProcessedOutputs.partitions(admin, topic);
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
      }
    }

    /** How long after {@code sinceNanos} the first new record became readable. */
    Duration awaitFirst(long sinceNanos, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (consumer.poll(Duration.ofMillis(50)).isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no new record within " + timeout.toSeconds() + " s");
        }
      }
      return Duration.ofNanos(System.nanoTime() - sinceNanos);
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  /** {@code segstream run} in a JVM of its own, on this test's class path. */
  private static Process startProcessor(Path propertiesFile, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g",
        "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.segstream.contracts",
        "-cp", System.getProperty("java.class.path"),
        "io.segstream.cli.SegstreamCli", "run", "--config", propertiesFile.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("DJL_OFFLINE", "true");
    builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    String tfLibraries = System.getenv("TENSORFLOW_LIBRARY_PATH");
    if (tfLibraries != null) {
      builder.environment().put("TENSORFLOW_LIBRARY_PATH", tfLibraries);
    }
    return builder.start();
  }

  /** Waits for the processor's /readyz (model warm, streams RUNNING). */
  private static void awaitReady(Process process, int httpPort, Path log) throws Exception {
    URI readyz = URI.create("http://127.0.0.1:" + httpPort + "/readyz");
    Harness.await("the processor to be ready (log: " + log + ")", CHILD_READY_TIMEOUT, () -> {
      if (!process.isAlive()) {
        throw new AssertionError("the processor exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) readyz.toURL().openConnection();
        connection.setConnectTimeout(500);
        connection.setReadTimeout(500);
        return connection.getResponseCode() == 200;
      } catch (IOException e) {
        return false;
      }
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
