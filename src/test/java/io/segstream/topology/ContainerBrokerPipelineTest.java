package io.segstream.topology;

import io.segstream.testing.ContainerRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same pipeline suite against Apache Kafka in a container (the local test image where no registry
 * can be reached). Fails under CI=true without a container runtime, skips with the reason elsewhere.
 */
@ExtendWith(ContainerRuntime.Required.class)
class ContainerBrokerPipelineTest extends PipelineIntegrationTestBase {

  private static KafkaContainer kafka;

  @BeforeAll
  static void startBroker() {
    kafka = ContainerRuntime.require().kafka();
    kafka.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.stop();
    }
  }

  @Override
  String bootstrapServers() {
    return kafka.getBootstrapServers();
  }
}
