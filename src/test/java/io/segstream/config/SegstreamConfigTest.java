package io.segstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegstreamConfigTest {

  @Test
  void environmentOverridesFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("segstream.properties");
    Files.writeString(file, "topic.frames=cams\nmax.batch.size=4\nnum.stream.threads=3\n");
    SegstreamConfig config =
        SegstreamConfig.load(
            file,
            Map.of(
                "SEGSTREAM_MAX_BATCH_SIZE", "16",
                "SEGSTREAM_KAFKA_SECURITY_PROTOCOL", "SSL",
                "UNRELATED", "x"));

    assertEquals("cams", config.getString(SegstreamConfig.TOPIC_FRAMES));
    assertEquals(16, config.getInt(SegstreamConfig.MAX_BATCH_SIZE));
    assertEquals("masks", config.getString(SegstreamConfig.TOPIC_MASKS));
    assertEquals(
        Map.of("num.stream.threads", "3", "security.protocol", "SSL"), config.kafkaPassThrough());
  }

  @Test
  void invalidValuesAreRefusedWithTheKeyNamed() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> new SegstreamConfig(Map.of(SegstreamConfig.PROCESSING_GUARANTEE, "maybe")));
    assertEquals(true, error.getMessage().contains(SegstreamConfig.PROCESSING_GUARANTEE));
  }

  @Test
  void everyKeyHasAnEnvironmentVariable() {
    Map<String, String> env = new HashMap<>();
    for (String key : SegstreamConfig.CONFIG.names()) {
      env.put(SegstreamConfig.envVar(key), "from-env-" + key);
    }
    Map<String, String> overridden = SegstreamConfig.fromEnvironment(env);
    for (String key : SegstreamConfig.CONFIG.names()) {
      assertEquals("from-env-" + key, overridden.get(key), key + " is not read from " + SegstreamConfig.envVar(key));
    }
    assertEquals(SegstreamConfig.CONFIG.names().size(), overridden.size());
  }

  @Test
  void requestTimeoutIsKafkasAgainAndTheInferenceTimeoutHasItsOwnName(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("old.properties");
    Files.writeString(file, "request.timeout.ms=2000\n");
    SegstreamConfig config = SegstreamConfig.load(file, Map.of());

    assertEquals("2000", config.kafkaPassThrough().get("request.timeout.ms"));
    assertEquals("2000", config.kafkaClientSettings(ProducerConfig.configNames()).get("request.timeout.ms"));
    assertEquals(30_000, config.getInt(SegstreamConfig.INFERENCE_TIMEOUT_MS));
    assertEquals(false, SegstreamConfig.CONFIG.names().contains("request.timeout.ms"));
    String notice = SegstreamConfig.formerKeyNotice(file + " sets request.timeout.ms", "passed to Kafka");
    assertEquals(true, notice.contains("inference.timeout.ms") && notice.contains("SEGSTREAM_INFERENCE_TIMEOUT_MS"),
        notice);
  }

  @Test
  void framesInFlightFollowTheBatchSizeUnlessSet() {
    assertEquals(16, new SegstreamConfig(Map.of()).framesInFlight());
    assertEquals(64, new SegstreamConfig(Map.of(SegstreamConfig.MAX_BATCH_SIZE, "32")).framesInFlight());
    assertEquals(5, new SegstreamConfig(Map.of(SegstreamConfig.MAX_BATCH_SIZE, "32",
        SegstreamConfig.MAX_FRAMES_IN_FLIGHT, "5")).framesInFlight());
  }

  @Test
  void readmeDocumentsEveryKey() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertEquals(
        true,
        readme.contains(SegstreamConfig.markdownTable()),
        "README.md's configuration table is stale; paste SegstreamConfig.markdownTable() "
            + "(bin/segstream config --markdown) into it");
  }
}
