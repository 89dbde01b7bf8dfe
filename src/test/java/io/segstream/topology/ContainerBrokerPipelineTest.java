package io.segstream.topology;

import io.segstream.testing.Material;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same pipeline suite against Apache Kafka in a container. Skipped where no container runtime
 * answers, under CI too for now: the one {@link Material.KnownGap} ({@code CONTAINER_RUNTIME}).
 */
@ExtendWith(ContainerBrokerPipelineTest.RequiresContainerRuntime.class)
@Testcontainers
class ContainerBrokerPipelineTest extends PipelineIntegrationTestBase {

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

  @Override
  String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }

  /** Evaluated before Testcontainers starts anything, so without a runtime nothing is attempted. */
  static final class RequiresContainerRuntime implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return Material.condition(DockerClientFactory.instance().isDockerAvailable(),
          "no container runtime (Docker) for Testcontainers", Material.KnownGap.CONTAINER_RUNTIME);
    }
  }
}
