package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code segstream broker} as a user runs it: its own JVM, records in and out through it, stopped by
 * SIGTERM (what Ctrl-C's SIGINT also triggers: the JVM's shutdown hooks), and started again on the same
 * data directory with the records still there.
 */
@Tag("integration")
@Timeout(300)
class BrokerCommandTest {

  private static final Duration STARTUP = Duration.ofSeconds(150);

  @Test
  void settingsOverTheDefaultsComeFromSet() {
    BrokerCommand command = new BrokerCommand();
    new CommandLine(command).parseArgs("--set", "group.initial.rebalance.delay.ms=3000", "--set", "num.partitions=4");
    assertEquals(Map.of("group.initial.rebalance.delay.ms", "3000", "num.partitions", "4"), command.settings);
  }

  @Test
  void servesClientsStopsOnSigtermAndKeepsItsData(@TempDir Path dir) throws Exception {
    int port = freePort();
    Path data = dir.resolve("kafka-data");
    String bootstrap = "127.0.0.1:" + port;
    List<String> sent = List.of("frame-1", "frame-2", "frame-3");

    try (BrokerProcess broker = BrokerProcess.start(port, data)) {
      assertTrue(broker.readyLine().contains(bootstrap), broker.readyLine());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000), new StringSerializer(), new StringSerializer())) {
        for (String value : sent) {
          producer.send(new ProducerRecord<>("tryout", value)).get(60, TimeUnit.SECONDS);
        }
      }
      assertEquals(sent, readAll(bootstrap, "tryout", sent.size()));
      int exit = broker.terminate();
      assertTrue(broker.output().contains("segstream broker: stopped"),
          "no clean stop on SIGTERM (exit " + exit + "); output:\n" + broker.output());
      assertEquals(143, exit, "a JVM stopped by SIGTERM exits 128+15; output:\n" + broker.output());
    }

    try (BrokerProcess again = BrokerProcess.start(port, data)) {
      assertEquals(sent, readAll(bootstrap, "tryout", sent.size()), "records lost across a restart");
      again.terminate();
    }
  }

  private static List<String> readAll(String bootstrap, String topic, int count) {
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(), new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      List<String> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (values.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
          values.add(record.value());
        }
      }
      return values;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }

  /**
   * {@code java ... SegstreamCli broker} on this test's class path. Its output goes to a file, not a
   * pipe: the JDK swaps a pipe's stream when the process exits, which can lose the last lines.
   */
  private static final class BrokerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private String readyLine;

    private BrokerProcess(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static BrokerProcess start(int port, Path data) throws Exception {
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      Path log = Files.createTempFile("segstream-broker-", ".log");
      Process process = new ProcessBuilder(java.toString(), "-Xmx512m",
          "-cp", System.getProperty("java.class.path"), SegstreamCli.class.getName(),
          "broker", "--port", Integer.toString(port), "--data-dir", data.toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      BrokerProcess broker = new BrokerProcess(process, log);
      long deadline = System.nanoTime() + STARTUP.toNanos();
      while (broker.readyLine == null) {
        broker.readyLine = broker.output().lines().filter(line -> line.contains("ready at")).findFirst().orElse(null);
        if (broker.readyLine == null && (!process.isAlive() || System.nanoTime() > deadline)) {
          broker.close();
          throw new AssertionError("broker did not come up; output:\n" + broker.output());
        }
        Thread.sleep(200);
      }
      assertTrue(Files.isDirectory(data), "data directory not created");
      return broker;
    }

    String readyLine() {
      return readyLine;
    }

    /** SIGTERM, then waits for the process to end; the exit status. */
    int terminate() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        throw new AssertionError("broker still running 90 s after SIGTERM; output:\n" + output());
      }
      return process.exitValue();
    }

    String output() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e.getMessage() + ")";
      }
    }

    @Override
    public void close() throws Exception {
      if (process.isAlive()) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      Files.deleteIfExists(log);
    }
  }
}
