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
import io.segstream.testing.TestCertificates;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.TestSegmenters;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * TLS (mutual) and SASL/PLAIN (over plaintext and over TLS) settings reach every Kafka client segstream
 * makes, and secrets never reach its output. The broker has an SSL listener requiring client
 * certificates, a SASL_PLAINTEXT and a SASL_SSL listener; keystores are made with {@code keytool} at
 * test time ({@link TestCertificates}).
 */
@Tag("reliability")
@Timeout(180)
class SecurityTest {

  private static final String STORE_TYPE = TestCertificates.STORE_TYPE;
  /** Fresh per run, so finding one in the output can only mean it leaked. */
  private static final String BROKER_KEYSTORE_PASSWORD = "bks-" + UUID.randomUUID();
  private static final String BROKER_TRUSTSTORE_PASSWORD = "bts-" + UUID.randomUUID();
  private static final String CLIENT_KEYSTORE_PASSWORD = "cks-" + UUID.randomUUID();
  private static final String CLIENT_TRUSTSTORE_PASSWORD = "cts-" + UUID.randomUUID();
  private static final String SASL_PASSWORD = "sasl-" + UUID.randomUUID();

  @TempDir static Path stores;
  private static TestCertificates certificates;
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() throws Exception {
    certificates = new TestCertificates(stores);
    certificates.keyPair("broker", BROKER_KEYSTORE_PASSWORD);
    certificates.keyPair("client", CLIENT_KEYSTORE_PASSWORD);
    certificates.trust("client", "broker", CLIENT_TRUSTSTORE_PASSWORD);
    certificates.trust("broker", "client", BROKER_TRUSTSTORE_PASSWORD);
    Map<String, String> overrides = new HashMap<>();
    String ssl = "listener.name.ssl.";
    putBrokerKeystore(overrides, ssl);
    overrides.put(ssl + "ssl.truststore.location", certificates.truststore("broker").toString());
    overrides.put(ssl + "ssl.truststore.password", BROKER_TRUSTSTORE_PASSWORD);
    overrides.put(ssl + "ssl.truststore.type", STORE_TYPE);
    overrides.put(ssl + "ssl.client.auth", "required");
    overrides.put("sasl.enabled.mechanisms", "PLAIN");
    String users =
        "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"" + SASL_PASSWORD + "\";";
    overrides.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", users);
    // SASL_SSL: TLS encrypts and proves the broker, SASL/PLAIN authenticates the client (no client certificate).
    String saslSsl = "listener.name.sasl_ssl.";
    putBrokerKeystore(overrides, saslSsl);
    overrides.put(saslSsl + "plain.sasl.jaas.config", users);
    broker = EmbeddedKafkaBroker.start(overrides,
        Set.of(SecurityProtocol.SSL, SecurityProtocol.SASL_PLAINTEXT, SecurityProtocol.SASL_SSL));
  }

  private static void putBrokerKeystore(Map<String, String> overrides, String listenerPrefix) {
    overrides.put(listenerPrefix + "ssl.keystore.location", certificates.keystore("broker").toString());
    overrides.put(listenerPrefix + "ssl.keystore.password", BROKER_KEYSTORE_PASSWORD);
    overrides.put(listenerPrefix + "ssl.key.password", BROKER_KEYSTORE_PASSWORD);
    overrides.put(listenerPrefix + "ssl.keystore.type", STORE_TYPE);
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static Map<String, Object> tlsSettings() {
    Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers("SSL"), "at_least_once");
    settings.put("security.protocol", "SSL");
    putClientTruststore(settings);
    settings.put("ssl.keystore.location", certificates.keystore("client").toString());
    settings.put("ssl.keystore.password", CLIENT_KEYSTORE_PASSWORD);
    settings.put("ssl.key.password", CLIENT_KEYSTORE_PASSWORD);
    settings.put("ssl.keystore.type", STORE_TYPE);
    return settings;
  }

  private static void putClientTruststore(Map<String, Object> settings) {
    settings.put("ssl.truststore.location", certificates.truststore("client").toString());
    settings.put("ssl.truststore.password", CLIENT_TRUSTSTORE_PASSWORD);
    settings.put("ssl.truststore.type", STORE_TYPE);
  }

  /** PLAIN credentials of alice over {@code protocol} (SASL_PLAINTEXT, or SASL_SSL trusting the broker). */
  private static Map<String, Object> saslSettings(SecurityProtocol protocol, String password) {
    Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers(protocol.name), "exactly_once_v2");
    settings.put("security.protocol", protocol.name);
    settings.put("sasl.mechanism", "PLAIN");
    settings.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
        + "username=\"alice\" password=\"" + password + "\";");
    if (protocol == SecurityProtocol.SASL_SSL) {
      putClientTruststore(settings);
    }
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

  @ParameterizedTest
  @EnumSource(value = SecurityProtocol.class, names = {"SASL_PLAINTEXT", "SASL_SSL"})
  void saslPlainSettingsReachStreamsAdminProducerAndConsumerAndAreNotLogged(SecurityProtocol protocol)
      throws Exception {
    Map<String, Object> settings = saslSettings(protocol, SASL_PASSWORD);
    SegstreamConfig config = new SegstreamConfig(settings);
    for (Set<String> clientKeys : List.of(ProducerConfig.configNames(), ConsumerConfig.configNames(),
        AdminClientConfig.configNames())) {
      Map<String, Object> client = config.kafkaClientSettings(clientKeys);
      assertEquals(protocol.name, client.get("security.protocol"));
      assertEquals("PLAIN", client.get("sasl.mechanism"));
      assertEquals(settings.get("sasl.jaas.config"), client.get("sasl.jaas.config"));
    }
    SegstreamApp app = new SegstreamApp(config, TestSegmenters.brightness());
    StreamsConfig streams = new StreamsConfig(app.streamsProperties());
    assertEquals(protocol.name, streams.getMainConsumerConfigs("g", "c", 0).get("security.protocol"));
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
    Harness.Tally tally = Harness.Tally.of(protocol.name + " (PLAIN)", "exactly_once_v2", frames,
        Harness.client(settings), config).report();
    assertEquals(frames, tally.total(tally.masks()));
    assertEquals(0, tally.duplicates());
    assertNoSecrets(output);
  }

  @Test
  void theListenersRefuseClientsWithoutCredentials() {
    for (SecurityProtocol sasl : List.of(SecurityProtocol.SASL_PLAINTEXT, SecurityProtocol.SASL_SSL)) {
      Map<String, Object> wrongPassword = Harness.client(saslSettings(sasl, "not-" + SASL_PASSWORD));
      assertInstanceOf(SaslAuthenticationException.class, describeClusterFailure(wrongPassword), sasl.name);
    }
    // Over SASL_SSL the client checks the broker too: one that does not trust its certificate stops there.
    Map<String, Object> untrusting = Harness.client(saslSettings(SecurityProtocol.SASL_SSL, SASL_PASSWORD));
    untrusting.remove("ssl.truststore.location");
    untrusting.remove("ssl.truststore.password");
    untrusting.remove("ssl.truststore.type");
    assertInstanceOf(SslAuthenticationException.class, describeClusterFailure(untrusting));
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
