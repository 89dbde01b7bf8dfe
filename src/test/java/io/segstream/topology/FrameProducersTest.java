package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.config.SegstreamConfig;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class FrameProducersTest {

  @Test
  void batchesHoldSeveralFramesUnlessConfiguredOtherwise() {
    Map<String, Object> defaults = FrameProducers.settings(new SegstreamConfig(Map.of()));
    assertEquals(256 * 1024, defaults.get(ProducerConfig.BATCH_SIZE_CONFIG));
    assertEquals(5, defaults.get(ProducerConfig.LINGER_MS_CONFIG));

    Map<String, Object> configured = FrameProducers.settings(
        new SegstreamConfig(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, "16384", ProducerConfig.LINGER_MS_CONFIG, "0")));
    assertEquals("16384", configured.get(ProducerConfig.BATCH_SIZE_CONFIG));
    assertEquals("0", configured.get(ProducerConfig.LINGER_MS_CONFIG));
  }
}
