package io.segstream.ops;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka (KRaft, combined broker and controller) inside this JVM, for the demo and
 * integration tests: loopback only, free ports, a temporary data directory deleted on close.
 *
 * <p>Storage is formatted with Kafka's own {@code kafka-storage format} ({@link StorageTool}), then a
 * {@link KafkaRaftServer} runs it, exactly as {@code kafka-server-start.sh} would.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final int NODE_ID = 1;

  private final Path dataDir;
  private final String bootstrapServers;
  private final KafkaRaftServer server;

  private EmbeddedKafkaBroker(Path dataDir, String bootstrapServers, KafkaRaftServer server) {
    this.dataDir = dataDir;
    this.bootstrapServers = bootstrapServers;
    this.server = server;
  }

  /** Starts a broker with default settings and waits until it serves requests. */
  public static EmbeddedKafkaBroker start() {
    return start(Map.of());
  }

  /** Starts a broker; {@code overrides} are broker settings that replace the defaults. */
  public static EmbeddedKafkaBroker start(Map<String, String> overrides) {
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory("segstream-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's data directory", e);
    }
    try {
      int brokerPort = freePort();
      int controllerPort = freePort();
      String host = "127.0.0.1";
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", Integer.toString(NODE_ID));
      props.put("controller.quorum.voters", NODE_ID + "@" + host + ":" + controllerPort);
      props.put("listeners", "PLAINTEXT://" + host + ":" + brokerPort + ",CONTROLLER://" + host + ":" + controllerPort);
      props.put("advertised.listeners", "PLAINTEXT://" + host + ":" + brokerPort);
      props.put("controller.listener.names", "CONTROLLER");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      props.put("log.dirs", dataDir.resolve("logs").toString());
      // One node: every internal topic has one replica; small partition counts start faster.
      props.put("offsets.topic.replication.factor", "1");
      props.put("offsets.topic.num.partitions", "1");
      props.put("transaction.state.log.replication.factor", "1");
      props.put("transaction.state.log.min.isr", "1");
      props.put("transaction.state.log.num.partitions", "1");
      props.put("share.coordinator.state.topic.replication.factor", "1");
      props.put("share.coordinator.state.topic.min.isr", "1");
      props.put("group.initial.rebalance.delay.ms", "0");
      props.put("num.partitions", "1");
      // message.max.bytes stays at the stock 1 MB: topics holding frames must raise it themselves,
      // as they must on a real cluster.
      props.putAll(overrides);
      Path configFile = dataDir.resolve("server.properties");
      try (OutputStream out = Files.newOutputStream(configFile)) {
        props.store(out, "segstream embedded broker");
      }
      format(configFile);
      KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
      server.startup();
      EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, host + ":" + brokerPort, server);
      try {
        broker.awaitReady(Duration.ofSeconds(60));
      } catch (RuntimeException e) {
        broker.close();
        throw e;
      }
      return broker;
    } catch (IOException | RuntimeException e) {
      deleteRecursively(dataDir);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start the embedded Kafka broker", io);
      }
      throw (RuntimeException) e;
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  private static void format(Path configFile) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      status = StorageTool.execute(
          new String[] {"format", "--config", configFile.toString(),
              "--cluster-id", Uuid.randomUuid().toString()},
          out);
    }
    if (status != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage failed (" + status + "): " + output.toString(StandardCharsets.UTF_8));
    }
  }

  private void awaitReady(Duration timeout) {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()))) {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("embedded Kafka broker did not come up at " + bootstrapServers, e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      deleteRecursively(dataDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A leftover temp directory is not worth failing shutdown for.
    }
  }
}
