package io.segstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
    assertEquals("SEGSTREAM_TOPIC_FRAMES", SegstreamConfig.envVar(SegstreamConfig.TOPIC_FRAMES));
    assertEquals(
        "SEGSTREAM_MAX_QUEUE_DELAY_MS", SegstreamConfig.envVar(SegstreamConfig.MAX_QUEUE_DELAY_MS));
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
