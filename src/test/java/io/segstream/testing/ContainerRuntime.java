package io.segstream.testing;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The container runtime that scripts/container-runtime.sh prepared (target/container-runtime.properties):
 * the Docker API to talk to and the locally built images to use where no registry can be reached.
 * Without a working runtime the container tests fail under CI=true and skip elsewhere, with the reason.
 */
public final class ContainerRuntime {

  /** The genuine image, used wherever the build did not make a local one (a registry is reachable). */
  public static final String APACHE_KAFKA = "apache/kafka:4.1.0";

  private static final Path STATE =
      Path.of(System.getProperty("segstream.repo.dir", "."), "target", "container-runtime.properties");

  private final Properties state;

  private ContainerRuntime(Properties state) {
    this.state = state;
  }

  /**
   * Put on a container test class: without a working runtime it is skipped with the reason outside CI
   * and fails under CI=true ({@link Material}). {@link #require()} then hands out the runtime.
   */
  public static final class Required implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      Optional<String> missing = unavailable();
      return Material.condition(missing.isEmpty(), missing.orElse(""));
    }
  }

  /** The runtime; skips or fails as {@link Material} decides when there is none. */
  public static ContainerRuntime require() {
    Optional<String> missing = unavailable();
    Material.require(missing.isEmpty(), missing.orElse(""));
    return new ContainerRuntime(readState());
  }

  private static Optional<String> unavailable() {
    Properties state = readState();
    String unavailable = state.getProperty("unavailable");
    if (unavailable == null && !DockerClientFactory.instance().isDockerAvailable()) {
      unavailable = state.containsKey("docker.host")
          ? "the Docker API at " + state.getProperty("docker.host") + " does not answer"
          : "no Docker API found and " + STATE + " is missing: run scripts/container-runtime.sh";
    }
    return Optional.ofNullable(unavailable).map(reason -> "no container runtime: " + reason);
  }

  /** The Docker API address the build prepared, if it prepared one. */
  static Optional<String> dockerHost() {
    return Optional.ofNullable(readState().getProperty("docker.host"));
  }

  private static final Duration KAFKA_STARTUP_TIMEOUT = Duration.ofMinutes(3);

  /** A single-node KRaft broker: the local test image where the build made one, else apache/kafka. */
  public KafkaContainer kafka() {
    String local = state.getProperty("kafka.image");
    DockerImageName image = local == null
        ? DockerImageName.parse(APACHE_KAFKA)
        : DockerImageName.parse(local).asCompatibleSubstituteFor("apache/kafka");
    // Kafka's JVM starting inside a container on two busy cores took over Testcontainers' default
    // minute in a CI run; a broker that never starts still fails, after three.
    return new KafkaContainer(image).withStartupTimeout(KAFKA_STARTUP_TIMEOUT);
  }

  /** The base image for docker/Dockerfile's BASE argument, when the build made a local one. */
  public Optional<String> baseImage() {
    return Optional.ofNullable(state.getProperty("base.image"));
  }

  private static Properties readState() {
    Properties properties = new Properties();
    if (Files.isRegularFile(STATE)) {
      try (Reader reader = Files.newBufferedReader(STATE)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + STATE, e);
      }
    }
    return properties;
  }
}
