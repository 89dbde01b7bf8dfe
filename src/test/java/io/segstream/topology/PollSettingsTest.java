package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.Segmenter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class PollSettingsTest {

  private static final Segmenter NO_MODEL = TestSegmenters.brightness();

  private static Properties props(Map<String, Object> settings) {
    return new SegstreamApp(new SegstreamConfig(settings), NO_MODEL).streamsProperties();
  }

  /** What the main consumer gets for {@code key}, resolved as Kafka Streams does. */
  private static long mainConsumer(Properties props, String key) {
    return Long.parseLong(String.valueOf(new StreamsConfig(props).getMainConsumerConfigs("g", "c", 0).get(key)));
  }

  private static long producer(Properties props, String key) {
    return Long.parseLong(String.valueOf(new StreamsConfig(props).getProducerConfigs("c").get(key)));
  }

  @Test
  void worstCaseFrameIsEveryAttemptTimingOutPlusBackoff() {
    SegstreamConfig config = new SegstreamConfig(Map.of());
    // Defaults: 3 attempts of 30 s, backoff 100 + 200 ms.
    assertEquals(Duration.ofMillis(90_300), config.worstCaseInference());
    assertEquals(Duration.ofMillis(4 * 1000 + 100 + 200 + 400),
        new SegstreamConfig(Map.of(SegstreamConfig.INFERENCE_TIMEOUT_MS, 1000, SegstreamConfig.MODEL_RETRIES, 3))
            .worstCaseInference());
  }

  @Test
  void defaultsAreKafkasBecauseNoThreadWaitsOnTheModel() {
    Properties props = props(Map.of());
    // Kafka Streams' max.poll.records; max.poll.interval.ms not set, so the consumer's 300 s applies.
    assertEquals(1000, mainConsumer(props, "max.poll.records"));
    assertFalse(new StreamsConfig(props).getMainConsumerConfigs("g", "c", 0).containsKey("max.poll.interval.ms"));
    assertEquals(1000L, new StreamsConfig(props).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
  }

  @Test
  void aWorstCaseFrameLongerThanKafkasIntervalRaisesIt() {
    Properties props = props(Map.of(SegstreamConfig.INFERENCE_TIMEOUT_MS, 400_000, SegstreamConfig.MODEL_RETRIES, 0));
    assertEquals(400_000 + 30_000, mainConsumer(props, "max.poll.interval.ms"));
  }

  @Test
  void aTooSmallPollIntervalIsRaisedToTheFloorAndALargerOneKept() {
    Map<String, Object> settings = new HashMap<>(Map.of(
        SegstreamConfig.INFERENCE_TIMEOUT_MS, 2000, SegstreamConfig.MODEL_RETRIES, 1,
        SegstreamConfig.MODEL_RETRY_BACKOFF_MS, 0L,
        "max.poll.interval.ms", "1000"));
    assertEquals(2 * 2000 + 30_000, mainConsumer(props(settings), "max.poll.interval.ms"));

    settings.put("max.poll.interval.ms", "900000");
    assertEquals(900_000, mainConsumer(props(settings), "max.poll.interval.ms"));
  }

  @Test
  void exactlyOnceKeepsKafkaStreamsTransactionTimeoutAndCommitInterval() {
    Properties props = props(Map.of(SegstreamConfig.PROCESSING_GUARANTEE, "exactly_once_v2"));
    assertEquals(10_000, producer(props, "transaction.timeout.ms"));
    assertEquals(100L, new StreamsConfig(props).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
  }

  @Test
  void explicitSettingsWin() {
    Properties props = props(Map.of("commit.interval.ms", "50", "max.poll.records", "50",
        "producer.transaction.timeout.ms", "60000", SegstreamConfig.PROCESSING_GUARANTEE, "exactly_once_v2"));
    assertEquals(50L, new StreamsConfig(props).getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
    assertEquals(50, mainConsumer(props, "max.poll.records"));
    assertEquals(60_000, producer(props, "transaction.timeout.ms"));
  }
}
