package io.segstream.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.cli.ConfigCommand;
import io.segstream.cli.ProduceCommand;
import io.segstream.cli.RenderCommand;
import io.segstream.cli.RunCommand;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.inference.ColourModel;
import io.segstream.ops.EmbeddedKafkaBroker;
import io.segstream.testing.CapturedOutput;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.TestSegmenters;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * TLS (mutual) and SASL/PLAIN settings reach every Kafka client segstream makes, and secrets never
 * reach its output. The broker has an SSL listener requiring client certificates and a
 * SASL_PLAINTEXT listener; keystores are made with {@code keytool} at test time.
 */
@Tag("reliability")
@Timeout(180)
class SecurityTest {

  private static final String STORE_TYPE = "PKCS12";
  /** Fresh per run, so finding one in the output can only mean it leaked. */
  private static final String BROKER_KEYSTORE_PASSWORD = "bks-" + UUID.randomUUID();
  private static final String BROKER_TRUSTSTORE_PASSWORD = "bts-" + UUID.randomUUID();
  private static final String CLIENT_KEYSTORE_PASSWORD = "cks-" + UUID.randomUUID();
  private static final String CLIENT_TRUSTSTORE_PASSWORD = "cts-" + UUID.randomUUID();
  private static final String SASL_PASSWORD = "sasl-" + UUID.randomUUID();

  @TempDir static Path stores;
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    keyPair("broker", BROKER_KEYSTORE_PASSWORD);
    keyPair("client", CLIENT_KEYSTORE_PASSWORD);
    trust("client", "broker", CLIENT_TRUSTSTORE_PASSWORD);
    trust("broker", "client", BROKER_TRUSTSTORE_PASSWORD);
    Map<String, String> overrides = new HashMap<>();
    String ssl = "listener.name.ssl.";
    overrides.put(ssl + "ssl.keystore.location", stores.resolve("broker.p12").toString());
    overrides.put(ssl + "ssl.keystore.password", BROKER_KEYSTORE_PASSWORD);
    overrides.put(ssl + "ssl.key.password", BROKER_KEYSTORE_PASSWORD);
    overrides.put(ssl + "ssl.keystore.type", STORE_TYPE);
    overrides.put(ssl + "ssl.truststore.location", stores.resolve("broker-trust.p12").toString());
    overrides.put(ssl + "ssl.truststore.password", BROKER_TRUSTSTORE_PASSWORD);
    overrides.put(ssl + "ssl.truststore.type", STORE_TYPE);
    overrides.put(ssl + "ssl.client.auth", "required");
    String sasl = "listener.name.sasl_plaintext.";
    overrides.put("sasl.enabled.mechanisms", "PLAIN");
    overrides.put(sasl + "plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"" + SASL_PASSWORD + "\";");
    broker = EmbeddedKafkaBroker.start(overrides, Set.of(SecurityProtocol.SSL, SecurityProtocol.SASL_PLAINTEXT));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** A self-signed key pair for 127.0.0.1 in {@code name}.p12, its certificate in {@code name}.crt. */
  private static void keyPair(String name, String password) throws Exception {
    keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=segstream-" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-storetype", STORE_TYPE, "-keystore", stores.resolve(name + ".p12").toString(),
        "-storepass", password, "-keypass", password);
    keytool("-exportcert", "-rfc", "-alias", name, "-keystore", stores.resolve(name + ".p12").toString(),
        "-storepass", password, "-file", stores.resolve(name + ".crt").toString());
  }

  /** A truststore {@code owner}-trust.p12 holding {@code trusted}'s certificate. */
  private static void trust(String owner, String trusted, String password) throws Exception {
    keytool("-importcert", "-noprompt", "-alias", trusted, "-file", stores.resolve(trusted + ".crt").toString(),
        "-storetype", STORE_TYPE, "-keystore", stores.resolve(owner + "-trust.p12").toString(),
        "-storepass", password);
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "keytool failed: " + output);
  }

  private static Map<String, Object> tlsSettings() {
    Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers("SSL"), "at_least_once");
    settings.put("security.protocol", "SSL");
    settings.put("ssl.truststore.location", stores.resolve("client-trust.p12").toString());
    settings.put("ssl.truststore.password", CLIENT_TRUSTSTORE_PASSWORD);
    settings.put("ssl.truststore.type", STORE_TYPE);
    settings.put("ssl.keystore.location", stores.resolve("client.p12").toString());
    settings.put("ssl.keystore.password", CLIENT_KEYSTORE_PASSWORD);
    settings.put("ssl.key.password", CLIENT_KEYSTORE_PASSWORD);
    settings.put("ssl.keystore.type", STORE_TYPE);
    return settings;
  }

  private static Map<String, Object> saslSettings(String password) {
    Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers("SASL_PLAINTEXT"), "exactly_once_v2");
    settings.put("security.protocol", "SASL_PLAINTEXT");
    settings.put("sasl.mechanism", "PLAIN");
    settings.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"alice\" password=\"" + password + "\";");
    return settings;
  }

  private static final List<String> SECRETS = List.of(BROKER_KEYSTORE_PASSWORD, BROKER_TRUSTSTORE_PASSWORD,
      CLIENT_KEYSTORE_PASSWORD, CLIENT_TRUSTSTORE_PASSWORD, SASL_PASSWORD);

  private static void assertNoSecrets(String output) {
    for (String secret : SECRETS) {
      assertFalse(output.contains(secret), "a password appeared in the output");
    }
  }

  @Test
  void theRunProduceRenderAndConfigCommandsWorkOverMutualTlsWithoutPrintingSecrets(@TempDir Path dir) throws Exception {
    Map<String, Object> settings = tlsSettings();
    settings.put(SegstreamConfig.MODEL_DIR,
        ColourModel.export(dir.resolve("colour"), ColourModel.Outputs.PROBABILITIES_AND_CLASSES).toString());
    settings.put(SegstreamConfig.DEVICES, "cpu");
    settings.put(SegstreamConfig.MODEL_POLL_MS, 0L);
    settings.put(SegstreamConfig.HTTP_PORT, 0);
    Path file = dir.resolve("tls.properties");
    Properties properties = new Properties();
    settings.forEach((key, value) -> properties.setProperty(key, value.toString()));
    try (OutputStream out = Files.newOutputStream(file)) {
      properties.store(out, "TLS test");
    }
    String config = file.toString();
    int frames = 6;
    String output;
    try (CapturedOutput captured = new CapturedOutput()) {
      assertEquals(0, new CommandLine(new ConfigCommand()).execute("-c", config));
      // The admin client creating the topics (as run does) goes over TLS too; render needs them first.
      new SegstreamApp(new SegstreamConfig(settings), TestSegmenters.brightness())
          .createMissingTopics(Duration.ofSeconds(30));
      // produce: a producer; run: an admin client (topics) and Kafka Streams; render: a consumer.
      assertEquals(0, new CommandLine(new ProduceCommand()).execute("-c", config,
          "--synthetic", Integer.toString(frames), "--width", "32", "--height", "32", "--stream-id", "tls-cam"));
      // Set by the processor thread, read here.
      AtomicInteger runStatus = new AtomicInteger(-1);
      Thread processor = new Thread(() -> runStatus.set(new CommandLine(new RunCommand()).execute("-c", config)));
      processor.start();
      try {
        Path overlays = dir.resolve("overlays");
        assertEquals(0, new CommandLine(new RenderCommand()).execute("-c", config, "-o", overlays.toString(),
            "--max", Integer.toString(frames), "--idle-timeout", "90"));
        try (Stream<Path> files = Files.list(overlays)) {
          assertEquals(frames, files.count(), "overlays rendered from masks read over TLS");
        }
      } finally {
        processor.interrupt();
        processor.join(60_000);
      }
      assertFalse(processor.isAlive(), "run did not stop within 60 s of the interrupt");
      assertEquals(0, runStatus.get(), "run stopped cleanly");
      output = captured.text();
    }
    // The produce command numbers frames 0.. by frameSeq (it sets no test header).
    SegstreamConfig segstream = new SegstreamConfig(settings);
    AvroSerdes serdes = AvroSerdes.fromConfig(segstream);
    Map<String, Object> client = Harness.client(settings);
    Harness.Tally tally = new Harness.Tally("TLS (mutual): produce, run, render commands", "at_least_once", frames,
        Harness.countBy(Harness.readAll(client, segstream.getString(SegstreamConfig.TOPIC_MASKS)),
            r -> serdes.forValues(SegmentationMask.class).deserializer().deserialize(r.topic(), r.value()).getFrameSeq()),
        Harness.countBy(Harness.readAll(client, segstream.getString(SegstreamConfig.TOPIC_AREAS)),
            r -> serdes.forValues(ClassAreas.class).deserializer().deserialize(r.topic(), r.value()).getFrameSeq()),
        Harness.countBy(Harness.readAll(client, segstream.getString(SegstreamConfig.TOPIC_DLQ)), r -> -1)).report();
    assertEquals(List.of(), tally.lost());
    assertNoSecrets(output);
    assertTrue(output.contains("ssl.keystore.password=[hidden]"), "the config command ran and redacted");
    // With several stream threads the masks can flow before the last thread's rebalance ends (the
    // client turns RUNNING only then), so any state line proves the processor's log was captured.
    assertTrue(output.contains("processor state CREATED -> REBALANCING"), "the processor's log was captured");
  }

  @Test
  void saslPlainSettingsReachStreamsAdminProducerAndConsumerAndAreNotLogged() throws Exception {
    Map<String, Object> settings = saslSettings(SASL_PASSWORD);
    SegstreamConfig config = new SegstreamConfig(settings);
    for (Set<String> clientKeys : List.of(ProducerConfig.configNames(), ConsumerConfig.configNames(),
        AdminClientConfig.configNames())) {
      Map<String, Object> client = config.kafkaClientSettings(clientKeys);
      assertEquals("SASL_PLAINTEXT", client.get("security.protocol"));
      assertEquals("PLAIN", client.get("sasl.mechanism"));
      assertEquals(settings.get("sasl.jaas.config"), client.get("sasl.jaas.config"));
    }
    SegstreamApp app = new SegstreamApp(config, TestSegmenters.brightness());
    StreamsConfig streams = new StreamsConfig(app.streamsProperties());
    assertEquals("SASL_PLAINTEXT", streams.getMainConsumerConfigs("g", "c", 0).get("security.protocol"));
    assertEquals(settings.get("sasl.jaas.config"), streams.getProducerConfigs("c").get("sasl.jaas.config"));
    assertEquals(settings.get("sasl.jaas.config"), streams.getAdminConfigs("c").get("sasl.jaas.config"));

    int frames = 6;
    String output;
    try (CapturedOutput captured = new CapturedOutput(); app) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
      try (KafkaProducer<byte[], byte[]> producer = Harness.producer(Harness.client(settings))) {
        for (int id = 0; id < frames; id++) {
          producer.send(Harness.tagged(config.getString(SegstreamConfig.TOPIC_FRAMES), "sasl-cam",
              Harness.syntheticFrame(config, "sasl-cam", id, 32, 32, ImageEncoding.PNG), id));
        }
      }
      Harness.awaitDrained(settings);
      output = captured.text();
    }
    Harness.Tally tally = Harness.Tally.of("SASL_PLAINTEXT (PLAIN)", "exactly_once_v2", frames,
        Harness.client(settings), config).report();
    assertEquals(frames, tally.total(tally.masks()));
    assertEquals(0, tally.duplicates());
    assertNoSecrets(output);
  }

  @Test
  void theListenersRefuseClientsWithoutCredentials() {
    Map<String, Object> wrongPassword = Harness.client(saslSettings("not-" + SASL_PASSWORD));
    assertInstanceOf(SaslAuthenticationException.class, describeClusterFailure(wrongPassword));
    Map<String, Object> noCertificate = Harness.client(tlsSettings());
    noCertificate.remove("ssl.keystore.location");
    noCertificate.remove("ssl.keystore.password");
    noCertificate.remove("ssl.key.password");
    assertInstanceOf(SslAuthenticationException.class, describeClusterFailure(noCertificate));
  }

  private static Throwable describeClusterFailure(Map<String, Object> client) {
    Map<String, Object> props = new HashMap<>(client);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
    try (Admin admin = Admin.create(props)) {
      return assertThrows(ExecutionException.class,
          () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).getCause();
    }
  }
}
