package io.segstream.testing;

import io.segstream.ops.EmbeddedKafkaBroker;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-JVM KRaft broker per test class:
 * {@code @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();}
 */
public final class EmbeddedBroker implements BeforeAllCallback, AfterAllCallback {

  private EmbeddedKafkaBroker broker;

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = EmbeddedKafkaBroker.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** A producer of raw values (null ones included) with string keys, for records no serde would write. */
  public KafkaProducer<String, byte[]> rawProducer() {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer());
  }
}
