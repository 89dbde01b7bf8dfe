package io.segstream.topology;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The same pipeline suite against Apache Kafka in a container; skipped where Docker is missing. */
@Testcontainers(disabledWithoutDocker = true)
class ContainerBrokerPipelineTest extends PipelineIntegrationTestBase {

  @Container
  static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

  @Override
  String bootstrapServers() {
    return KAFKA.getBootstrapServers();
  }
}
