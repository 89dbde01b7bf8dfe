package io.segstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where segstream's broker keeps a temporary log, and settings given over its defaults. */
class EmbeddedKafkaBrokerTest {

  private static final String DELAY = "group.initial.rebalance.delay.ms";

  @Test
  void aTemporaryLogLivesInTheGivenFolderUntilCloseAndSettingsReplaceTheDefaults(@TempDir Path parent)
      throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporaryIn(parent, Map.of(DELAY, "3000"))) {
      assertEquals(1, count(parent), "one data folder in " + parent);
      assertEquals("3000", brokerSetting(broker, DELAY));
    }
    assertEquals(0, count(parent), "the data folder is deleted on close");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporaryIn(parent, Map.of())) {
      // segstream's own default, so that tests start quickly.
      assertEquals("0", brokerSetting(broker, DELAY));
    }
  }

  private static long count(Path folder) throws Exception {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.count();
    }
  }

  private static String brokerSetting(EmbeddedKafkaBroker broker, String key) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER, "1");
      String value = admin.describeConfigs(List.of(node)).all().get(30, TimeUnit.SECONDS).get(node).get(key).value();
      assertTrue(value != null, key + " is not described");
      return value;
    }
  }
}
