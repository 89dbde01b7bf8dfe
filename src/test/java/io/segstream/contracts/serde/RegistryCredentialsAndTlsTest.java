package io.segstream.contracts.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.cli.ConfigCommand;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageFrame;
import io.segstream.testing.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The registry client's credentials (basic from the URL or {@code basic.auth.user.info}, a static
 * bearer token) and TLS stores ({@code schema.registry.ssl.*}) against {@link FakeSchemaRegistry}
 * served over https and requiring them; the real Apicurio Registry behind TLS and basic
 * authentication is {@link ApicurioRegistrySecurityTest}. Apicurio cannot check a static bearer token
 * without an OpenID Connect provider, so bearer tokens are checked here only.
 */
class RegistryCredentialsAndTlsTest {

  /** Fresh per run, so finding one in a message or output can only mean it leaked. */
  private static final String PASSWORD = "pw-" + UUID.randomUUID();
  private static final String TOKEN = "token-" + UUID.randomUUID();
  private static final String STORE_PASSWORD = "store-" + UUID.randomUUID();

  @TempDir static Path stores;
  private static TestCertificates certificates;
  private FakeSchemaRegistry registry;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certificates = new TestCertificates(stores);
    certificates.keyPair("registry", STORE_PASSWORD);
    certificates.keyPair("client", STORE_PASSWORD);
    certificates.keyPair("stranger", STORE_PASSWORD);
    certificates.trust("client", "registry", STORE_PASSWORD);
    certificates.trust("registry", "client", STORE_PASSWORD);
  }

  @AfterEach
  void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  private FakeSchemaRegistry secured(boolean clientCertificates, String requiredAuthorization) throws Exception {
    registry = FakeSchemaRegistry.secured(
        certificates.sslContext("registry", STORE_PASSWORD, clientCertificates ? "registry" : null, STORE_PASSWORD),
        clientCertificates, requiredAuthorization);
    return registry;
  }

  private static String basic(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  /** Settings for {@code url} that trust the registry's certificate. */
  private static Map<String, Object> trusting(String url) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(SegstreamConfig.SCHEMA_REGISTRY_URL, url);
    settings.put(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_LOCATION, certificates.truststore("client").toString());
    settings.put(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_PASSWORD, STORE_PASSWORD);
    settings.put(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_TYPE, TestCertificates.STORE_TYPE);
    return settings;
  }

  private static Map<String, Object> withBearer(Map<String, Object> settings, String token) {
    settings.put(SegstreamConfig.REGISTRY_BEARER_AUTH_SOURCE, "STATIC_TOKEN");
    settings.put(SegstreamConfig.REGISTRY_BEARER_AUTH_TOKEN, token);
    return settings;
  }

  private static Map<String, Object> withUserInfo(Map<String, Object> settings, String userInfo) {
    settings.put(SegstreamConfig.REGISTRY_BASIC_AUTH_SOURCE, "USER_INFO");
    settings.put(SegstreamConfig.REGISTRY_BASIC_AUTH_USER_INFO, userInfo);
    return settings;
  }

  private static Serde<ImageFrame> serde(Map<String, Object> settings) {
    return AvroSerdes.fromConfig(new SegstreamConfig(settings)).forValues(ImageFrame.class);
  }

  private static void assertRoundTrips(Map<String, Object> settings) {
    Serde<ImageFrame> serde = serde(settings);
    byte[] bytes = serde.serializer().serialize("frames", RegistryAvroSerdeTest.frame());
    // A second client, so the schema is fetched over the wire rather than taken from the cache.
    assertEquals(RegistryAvroSerdeTest.frame(), serde(settings).deserializer().deserialize("frames", bytes));
  }

  /**
   * With {@code settings}, writing and reading a record ({@code good} settings wrote it) both stop (not
   * a bad record) with {@code expected} in the message, and no secret.
   */
  private static void assertRefused(Map<String, Object> good, Map<String, Object> settings, String expected) {
    byte[] written = serde(good).serializer().serialize("frames", RegistryAvroSerdeTest.frame());
    SchemaRegistryUnavailableException onWrite = assertThrows(SchemaRegistryUnavailableException.class,
        () -> serde(settings).serializer().serialize("frames", RegistryAvroSerdeTest.frame()));
    SchemaRegistryUnavailableException onRead = assertThrows(SchemaRegistryUnavailableException.class,
        () -> serde(settings).deserializer().deserialize("frames", written));
    for (String message : new String[] {onWrite.getMessage(), onRead.getMessage()}) {
      assertTrue(message.contains(expected), message);
      assertFalse(message.contains(PASSWORD) || message.contains(TOKEN) || message.contains(STORE_PASSWORD), message);
    }
  }

  @Test
  void aStaticBearerTokenIsSentOverTrustedTls() throws Exception {
    secured(false, "Bearer " + TOKEN);
    assertRoundTrips(withBearer(trusting(registry.url()), TOKEN));
  }

  @Test
  void aWrongOrMissingTokenStopsWithTheRefusalNamedNotAsABadRecord() throws Exception {
    secured(false, "Bearer " + TOKEN);
    Map<String, Object> good = withBearer(trusting(registry.url()), TOKEN);
    assertRefused(good, withBearer(trusting(registry.url()), "not-" + TOKEN), "HTTP 401");
    assertRefused(good, withBearer(trusting(registry.url()), "not-" + TOKEN), "credentials refused");
    assertRefused(good, trusting(registry.url()), "credentials missing");
  }

  @Test
  void basicCredentialsComeFromUserInfoOrFromTheUrl() throws Exception {
    secured(false, basic("alice:" + PASSWORD));
    Map<String, Object> good = withUserInfo(trusting(registry.url()), "alice:" + PASSWORD);
    assertRoundTrips(good);
    assertRoundTrips(trusting(registry.url().replace("https://", "https://alice:" + PASSWORD + "@")));
    assertRefused(good, trusting(registry.url().replace("https://", "https://alice:not-" + PASSWORD + "@")),
        "credentials refused");
    assertRefused(good, withUserInfo(trusting(registry.url()), "alice:not-" + PASSWORD), "HTTP 401");
  }

  @Test
  void aCertificateTheTruststoreDoesNotHoldIsRefused() throws Exception {
    secured(false, null);
    Map<String, Object> jvmDefaults = new HashMap<>(Map.of(SegstreamConfig.SCHEMA_REGISTRY_URL, registry.url()));
    assertRefused(trusting(registry.url()), jvmDefaults, "refused the TLS connection");
    Map<String, Object> otherCa = trusting(registry.url());
    otherCa.put(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_LOCATION, certificates.trust("other", "stranger",
        STORE_PASSWORD).toString());
    assertRefused(trusting(registry.url()), otherCa, SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_LOCATION);
  }

  @Test
  void mutualTlsSendsTheKeystoresCertificate() throws Exception {
    secured(true, null);
    Map<String, Object> withCertificate = trusting(registry.url());
    withCertificate.put(SegstreamConfig.REGISTRY_SSL_KEYSTORE_LOCATION, certificates.keystore("client").toString());
    withCertificate.put(SegstreamConfig.REGISTRY_SSL_KEYSTORE_PASSWORD, STORE_PASSWORD);
    withCertificate.put(SegstreamConfig.REGISTRY_SSL_KEY_PASSWORD, STORE_PASSWORD);
    withCertificate.put(SegstreamConfig.REGISTRY_SSL_KEYSTORE_TYPE, TestCertificates.STORE_TYPE);
    assertRoundTrips(withCertificate);
    assertRefused(withCertificate, trusting(registry.url()), "schema registry " + registry.url());
  }

  @Test
  void credentialsThatWouldNotBeSentAreAConfigurationErrorWithoutTheSecret() {
    String url = "https://127.0.0.1:1/apis/ccompat/v7";
    Map<String, Object> userInfoOnly = new HashMap<>(Map.of(SegstreamConfig.SCHEMA_REGISTRY_URL, url,
        SegstreamConfig.REGISTRY_BASIC_AUTH_USER_INFO, "alice:" + PASSWORD));
    Map<String, Object> tokenOnly = new HashMap<>(Map.of(SegstreamConfig.SCHEMA_REGISTRY_URL, url,
        SegstreamConfig.REGISTRY_BEARER_AUTH_TOKEN, TOKEN));
    Map<String, Object> both = withBearer(withUserInfo(new HashMap<>(Map.of(SegstreamConfig.SCHEMA_REGISTRY_URL, url)),
        "alice:" + PASSWORD), TOKEN);
    Map<String, Object> storesOverHttp = trusting("http://127.0.0.1:1/apis/ccompat/v7");
    Map<String, Object> notUserAndPassword = withUserInfo(new HashMap<>(Map.of(SegstreamConfig.SCHEMA_REGISTRY_URL,
        url)), PASSWORD);
    for (Map<String, Object> settings : java.util.List.of(userInfoOnly, tokenOnly, both, storesOverHttp,
        notUserAndPassword)) {
      ConfigException error = assertThrows(ConfigException.class, () -> serde(settings));
      assertFalse(error.getMessage().contains(PASSWORD) || error.getMessage().contains(TOKEN), error.getMessage());
    }
  }

  @Test
  void theRegistrySettingsNeverReachKafkaClientsAndConfigPrintsNoSecret(@TempDir Path dir) throws Exception {
    Map<String, Object> settings = withUserInfo(trusting("https://alice:" + PASSWORD + "@registry:8443/apis/ccompat/v7"),
        "alice:" + PASSWORD);
    settings.put(SegstreamConfig.REGISTRY_SSL_KEYSTORE_PASSWORD, STORE_PASSWORD);
    SegstreamConfig config = new SegstreamConfig(settings);
    assertEquals(Map.of(), config.kafkaPassThrough());
    for (var clientKeys : java.util.List.of(ProducerConfig.configNames(), ConsumerConfig.configNames(),
        AdminClientConfig.configNames(), StreamsConfig.configDef().names())) {
      assertEquals(Map.of(SegstreamConfig.BOOTSTRAP_SERVERS, "localhost:9092"), config.kafkaClientSettings(clientKeys));
    }

    Path file = dir.resolve("registry.properties");
    Properties properties = new Properties();
    settings.forEach((key, value) -> properties.setProperty(key, value.toString()));
    try (OutputStream out = Files.newOutputStream(file)) {
      properties.store(out, "registry credentials");
    }
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, new CommandLine(new ConfigCommand()).execute("-c", file.toString()));
    } finally {
      System.setOut(stdout);
    }
    String output = printed.toString(StandardCharsets.UTF_8);
    assertFalse(output.contains(PASSWORD) || output.contains(STORE_PASSWORD), output);
    assertTrue(output.contains("schema.registry.url=https://[hidden]@registry:8443/apis/ccompat/v7"), output);
    assertTrue(output.contains("basic.auth.user.info=[hidden]"), output);
    assertTrue(output.contains("schema.registry.ssl.keystore.password=[hidden]"), output);
  }
}
