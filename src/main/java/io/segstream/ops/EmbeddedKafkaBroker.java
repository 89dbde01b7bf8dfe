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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka (KRaft, combined broker and controller) inside this JVM, for the demo, the
 * {@code segstream broker} command and integration tests: loopback by default, free ports unless one is
 * given, a temporary data directory deleted on close unless a kept one is given. It can be stopped and
 * restarted on the same ports and data (broker-outage tests), and given SSL or SASL listeners beside the
 * PLAINTEXT one.
 *
 * <p>Storage is formatted with Kafka's own {@code kafka-storage format} ({@link StorageTool}), then a
 * {@link KafkaRaftServer} runs it, exactly as {@code kafka-server-start.sh} would.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final int NODE_ID = 1;
  private static final String HOST = "127.0.0.1";

  private final Path dataDir;
  /** Whether {@link #close} deletes {@link #dataDir}: only the temporary one it created itself. */
  private final boolean deleteDataOnClose;
  private final Properties serverProps;
  /** host:port of each client listener, by listener name (PLAINTEXT, plus any extra ones). */
  private final Map<String, String> bootstrapByListener;
  private KafkaRaftServer server;

  private EmbeddedKafkaBroker(
      Path dataDir, boolean deleteDataOnClose, Properties serverProps, Map<String, String> bootstrapByListener) {
    this.dataDir = dataDir;
    this.deleteDataOnClose = deleteDataOnClose;
    this.serverProps = serverProps;
    this.bootstrapByListener = bootstrapByListener;
  }

  /** Starts a broker with default settings and waits until it serves requests. */
  public static EmbeddedKafkaBroker start() {
    return start(Map.of());
  }

  /** Starts a broker; {@code overrides} are broker settings that replace the defaults. */
  public static EmbeddedKafkaBroker start(Map<String, String> overrides) {
    return start(overrides, Set.of());
  }

  /**
   * Starts a broker with a client listener for each of {@code extraListeners} beside PLAINTEXT, named
   * after its security protocol; their settings (keystores, SASL mechanisms and JAAS) come in {@code
   * overrides}, e.g. {@code listener.name.ssl.ssl.keystore.location}.
   */
  public static EmbeddedKafkaBroker start(Map<String, String> overrides, Set<SecurityProtocol> extraListeners) {
    return start(HOST, 0, null, null, overrides, extraListeners);
  }

  /**
   * Starts a broker whose PLAINTEXT listener is {@code host:port} ({@code port} 0: a free one) and
   * whose data lives in {@code dataDir}: formatted on first use, kept on close, so topics and records
   * outlive a restart. {@code dataDir} null: a temporary one, deleted on close. {@code overrides} are
   * broker settings that replace the defaults.
   */
  public static EmbeddedKafkaBroker start(String host, int port, Path dataDir, Map<String, String> overrides) {
    return start(host, port, dataDir, null, overrides, Set.of());
  }

  /**
   * Starts a broker whose temporary data folder (deleted on close) is made in {@code parent}; {@code
   * overrides} are broker settings that replace the defaults.
   */
  public static EmbeddedKafkaBroker startTemporaryIn(Path parent, Map<String, String> overrides) {
    return start(HOST, 0, null, parent, overrides, Set.of());
  }

  private static EmbeddedKafkaBroker start(
      String host, int port, Path keptDataDir, Path temporaryParent, Map<String, String> overrides,
      Set<SecurityProtocol> extraListeners) {
    Path dataDir;
    try {
      dataDir = keptDataDir != null
          ? Files.createDirectories(keptDataDir)
          : temporaryParent != null
              ? Files.createTempDirectory(temporaryParent, "segstream-kafka-")
              : Files.createTempDirectory("segstream-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's data directory " + keptDataDir, e);
    }
    boolean temporary = keptDataDir == null;
    try {
      Set<Integer> ports = new HashSet<>();
      if (port != 0) {
        ports.add(port);
      }
      Map<String, String> bootstrapByListener = new LinkedHashMap<>();
      bootstrapByListener.put(SecurityProtocol.PLAINTEXT.name, host + ":" + (port != 0 ? port : freePort(ports)));
      for (SecurityProtocol protocol : extraListeners) {
        bootstrapByListener.putIfAbsent(protocol.name, host + ":" + freePort(ports));
      }
      // The controller listens on loopback only: nothing outside this process talks to it.
      int controllerPort = freePort(ports);
      StringJoiner advertised = new StringJoiner(",");
      StringJoiner protocols = new StringJoiner(",", "", ",CONTROLLER:PLAINTEXT");
      bootstrapByListener.forEach((name, address) -> {
        advertised.add(name + "://" + address);
        protocols.add(name + ":" + name);
      });
      Properties props = new Properties();
      props.put("process.roles", "broker,controller");
      props.put("node.id", Integer.toString(NODE_ID));
      props.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
      props.put("listeners", advertised + ",CONTROLLER://" + HOST + ":" + controllerPort);
      props.put("advertised.listeners", advertised.toString());
      props.put("controller.listener.names", "CONTROLLER");
      props.put("inter.broker.listener.name", "PLAINTEXT");
      props.put("listener.security.protocol.map", protocols.toString());
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
      if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
        format(configFile);
      }
      EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir, temporary, props, bootstrapByListener);
      try {
        broker.restart();
      } catch (RuntimeException e) {
        broker.close();
        throw e;
      }
      return broker;
    } catch (IOException | RuntimeException e) {
      if (temporary) {
        deleteRecursively(dataDir);
      }
      if (e instanceof IOException io) {
        throw new UncheckedIOException("cannot start the embedded Kafka broker", io);
      }
      throw (RuntimeException) e;
    }
  }

  /** The PLAINTEXT listener's address. */
  public String bootstrapServers() {
    return bootstrapServers(SecurityProtocol.PLAINTEXT.name);
  }

  /** The address of the listener named {@code listener} (its security protocol's name). */
  public String bootstrapServers(String listener) {
    String address = bootstrapByListener.get(listener);
    if (address == null) {
      throw new IllegalArgumentException("no " + listener + " listener; have " + bootstrapByListener.keySet());
    }
    return address;
  }

  /**
   * Stops the broker as a crash or maintenance would, keeping its data directory and ports for
   * {@link #restart}. Clients see it unreachable meanwhile.
   */
  public synchronized void stop() {
    if (server != null) {
      KafkaRaftServer stopping = server;
      server = null;
      stopping.shutdown();
      stopping.awaitShutdown();
    }
  }

  /** Starts the broker again on the same ports and data (a no-op while running); waits until it serves. */
  public synchronized void restart() {
    if (server != null) {
      return;
    }
    KafkaRaftServer starting = new KafkaRaftServer(KafkaConfig.fromProps(serverProps, false), Time.SYSTEM);
    server = starting;
    starting.startup();
    awaitReady(Duration.ofSeconds(60));
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
    String bootstrapServers = bootstrapServers();
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

  /** A free loopback port not among {@code taken}, which it joins. */
  private static int freePort(Set<Integer> taken) throws IOException {
    while (true) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        if (taken.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } finally {
      if (deleteDataOnClose) {
        deleteRecursively(dataDir);
      }
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
