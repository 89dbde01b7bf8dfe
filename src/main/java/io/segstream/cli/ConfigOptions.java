package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where a command's settings come from: defaults, a properties file, the environment, then -D. */
public final class ConfigOptions {

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Properties file with segstream and Kafka settings (e.g. security.protocol).")
  Path file;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description = "A setting that overrides the file and SEGSTREAM_* environment variables.")
  Map<String, String> overrides = new LinkedHashMap<>();

  public SegstreamConfig load() throws IOException {
    return SegstreamConfig.load(file, System.getenv(), overrides);
  }

  /** As {@link #load}, with {@code defaults} applying below the file, environment and -D. */
  public SegstreamConfig load(Map<String, String> defaults) throws IOException {
    Map<String, Object> props = new LinkedHashMap<>(defaults);
    props.putAll(load().originals());
    return new SegstreamConfig(props);
  }
}
