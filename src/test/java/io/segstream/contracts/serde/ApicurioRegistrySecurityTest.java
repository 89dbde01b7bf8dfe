package io.segstream.contracts.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageFrame;
import io.segstream.testing.Material;
import io.segstream.testing.TestCertificates;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * segstream against a real Apicurio Registry 3.0.9 that serves https only and requires HTTP basic
 * credentials on its APIs: Quarkus' own TLS ({@code quarkus.http.ssl.certificate.*}, {@code
 * quarkus.http.insecure-requests=disabled}) and basic authentication with users embedded in its
 * configuration ({@code quarkus.security.users.embedded.*}, which Apicurio 3.0.9's build includes).
 *
 * <p>Two things this build of Apicurio cannot require, so they are checked against the fake registry
 * only ({@link RegistryCredentialsAndTlsTest}): client certificates ({@code quarkus.http.ssl.client-auth}
 * is fixed to {@code NONE} when Apicurio is built; set at run time, Quarkus ignores it with a warning)
 * and bearer tokens (Apicurio checks those through Quarkus OIDC, which wants a reachable OpenID Connect
 * provider: with only a local {@code quarkus.oidc.public-key} it still asks the provider its build names
 * and answers 500, and without a provider URL it does not start).
 */
class ApicurioRegistrySecurityTest {

  /** Fresh per run, so finding one in a message can only mean it leaked. */
  private static final String PASSWORD = "pw-" + UUID.randomUUID();
  private static final String STORE_PASSWORD = "store-" + UUID.randomUUID();

  @TempDir static Path stores;
  private static TestCertificates certificates;
  private static ApicurioRegistry registry;

  @BeforeAll
  static void startSecuredRegistry() throws Exception {
    Material.require(Files.isDirectory(ApicurioRegistry.distributionDir()),
        "real Apicurio Registry unavailable: " + ApicurioRegistry.distributionDir()
            + " is missing; run scripts/fetch-apicurio.sh");
    certificates = new TestCertificates(stores);
    certificates.keyPair("registry", STORE_PASSWORD);
    certificates.keyPair("client", STORE_PASSWORD);
    certificates.trust("client", "registry", STORE_PASSWORD);
    Map<String, String> quarkus = new HashMap<>();
    quarkus.put("quarkus.http.ssl.certificate.key-store-file", certificates.keystore("registry").toString());
    quarkus.put("quarkus.http.ssl.certificate.key-store-password", STORE_PASSWORD);
    quarkus.put("quarkus.http.ssl.certificate.key-store-file-type", TestCertificates.STORE_TYPE);
    quarkus.put("quarkus.http.auth.basic", "true");
    quarkus.put("quarkus.security.users.embedded.plain-text", "true");
    quarkus.put("quarkus.security.users.embedded.users.alice", PASSWORD);
    quarkus.put("quarkus.http.auth.permission.registry-apis.paths", "/apis/*");
    quarkus.put("quarkus.http.auth.permission.registry-apis.policy", "authenticated");
    registry = ApicurioRegistry.start(quarkus, certificates.sslContext(null, null, "client", STORE_PASSWORD),
        "apicurio-registry-tls.log");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  /** Trusting the registry's certificate, with alice's {@code password} (none when null). */
  private static Map<String, Object> settings(String password) {
    Map<String, Object> settings = new HashMap<>();
    settings.put(SegstreamConfig.SCHEMA_REGISTRY_URL, registry.ccompatUrl());
    settings.put(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_LOCATION, certificates.truststore("client").toString());
    settings.put(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_PASSWORD, STORE_PASSWORD);
    settings.put(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_TYPE, TestCertificates.STORE_TYPE);
    if (password != null) {
      settings.put(SegstreamConfig.REGISTRY_BASIC_AUTH_SOURCE, "USER_INFO");
      settings.put(SegstreamConfig.REGISTRY_BASIC_AUTH_USER_INFO, "alice:" + password);
    }
    return settings;
  }

  private static Serde<ImageFrame> serde(Map<String, Object> settings) {
    return AvroSerdes.fromConfig(new SegstreamConfig(settings)).forValues(ImageFrame.class);
  }

  private static String subject() {
    return "secured-" + UUID.randomUUID() + "-value";
  }

  @Test
  void theRightTruststoreAndCredentialsWriteAndReadThroughTheRegistry() {
    String topic = subject().replace("-value", "");
    byte[] bytes = serde(settings(PASSWORD)).serializer().serialize(topic, RegistryAvroSerdeTest.frame());
    ApicurioRegistry.Reply latest = registry.get("/subjects/" + topic + "-value/versions/latest");
    assertEquals(401, latest.status(), "the registry's API itself requires credentials");
    // A second client, so the schema is fetched from the registry rather than from the writer's cache.
    assertEquals(RegistryAvroSerdeTest.frame(), serde(settings(PASSWORD)).deserializer().deserialize(topic, bytes));
    assertTrue(ByteBuffer.wrap(bytes, 1, 4).getInt() > 0, "a registry id in the header");
  }

  @Test
  void wrongOrMissingCredentialsStopWithTheRefusalNamedNotAsABadRecord() {
    String topic = subject().replace("-value", "");
    byte[] written = serde(settings(PASSWORD)).serializer().serialize(topic, RegistryAvroSerdeTest.frame());
    for (String password : new String[] {"not-" + PASSWORD, null}) {
      Map<String, Object> settings = settings(password);
      SchemaRegistryUnavailableException onWrite = assertThrows(SchemaRegistryUnavailableException.class,
          () -> serde(settings).serializer().serialize(topic, RegistryAvroSerdeTest.frame()));
      SchemaRegistryUnavailableException onRead = assertThrows(SchemaRegistryUnavailableException.class,
          () -> serde(settings).deserializer().deserialize(topic, written));
      for (String message : new String[] {onWrite.getMessage(), onRead.getMessage()}) {
        assertTrue(message.contains("HTTP 401"), message);
        assertTrue(message.contains(password == null ? "credentials missing" : "credentials refused"), message);
        assertFalse(message.contains(PASSWORD), message);
      }
    }
  }

  @Test
  void aRegistryCertificateTheTruststoreDoesNotHoldIsRefused() {
    Map<String, Object> jvmDefaultCas = settings(PASSWORD);
    jvmDefaultCas.remove(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_LOCATION);
    jvmDefaultCas.remove(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_PASSWORD);
    SchemaRegistryUnavailableException untrusted = assertThrows(SchemaRegistryUnavailableException.class,
        () -> serde(jvmDefaultCas).serializer().serialize("secured", RegistryAvroSerdeTest.frame()));
    assertTrue(untrusted.getMessage().contains("refused the TLS connection"), untrusted.getMessage());
  }
}
