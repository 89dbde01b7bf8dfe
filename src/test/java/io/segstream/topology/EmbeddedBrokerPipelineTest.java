package io.segstream.topology;

import io.segstream.testing.EmbeddedBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pipeline suite against a KRaft broker in this JVM. */
class EmbeddedBrokerPipelineTest extends PipelineIntegrationTestBase {

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  @Override
  String bootstrapServers() {
    return broker.bootstrapServers();
  }
}
