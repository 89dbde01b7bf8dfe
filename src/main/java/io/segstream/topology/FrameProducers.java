package io.segstream.topology;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.serde.AvroSerdes;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producers of {@link ImageFrame} events keyed by stream id, as a camera gateway would run them. */
public final class FrameProducers {

  private FrameProducers() {}

  public static KafkaProducer<String, ImageFrame> create(SegstreamConfig config) {
    Map<String, Object> props = config.kafkaClientSettings(ProducerConfig.configNames());
    // Whole frames, up to max.frame.bytes, plus metadata.
    props.putIfAbsent(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        config.getInt(SegstreamConfig.MAX_FRAME_BYTES) + 1024 * 1024);
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(
        props,
        new StringSerializer(),
        AvroSerdes.fromConfig(config).forValues(ImageFrame.class).serializer());
  }
}
