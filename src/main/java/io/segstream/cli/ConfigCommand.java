package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.serde.RegistryConnection;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Prints the effective configuration, or the README's table of every key. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Print the effective settings (defaults < file < environment), or --markdown for the key table.")
public final class ConfigCommand implements Callable<Integer> {

  @Option(names = "--markdown", description = "Print the documentation table of every key.")
  boolean markdown;

  @Option(names = {"-c", "--config"}, description = "Properties file.")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    if (markdown) {
      System.out.print(SegstreamConfig.markdownTable());
      return 0;
    }
    SegstreamConfig config = SegstreamConfig.load(configFile, System.getenv());
    Map<String, Object> shown = new TreeMap<>(config.values());
    // Passwords print as [hidden] themselves; a registry URL may carry user:password@.
    shown.put(SegstreamConfig.SCHEMA_REGISTRY_URL,
        RegistryConnection.redacted(config.getString(SegstreamConfig.SCHEMA_REGISTRY_URL)));
    config.kafkaPassThrough().forEach((key, value) -> shown.put(key, redact(key, value)));
    shown.forEach((key, value) -> System.out.println(key + "=" + value));
    return 0;
  }

  /** Kafka secrets (passwords, JAAS config) never reach the terminal or logs. */
  static Object redact(String key, Object value) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    return k.contains("password") || k.contains("jaas") || k.contains("secret") ? "[hidden]" : value;
  }
}
