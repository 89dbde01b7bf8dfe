package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.Segmenter;
import io.segstream.testing.CapturedOutput;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

class SegstreamAppTest {

  private static final Segmenter UNUSED = TestSegmenters.brightness();

  @Test
  void runsAStreamThreadPerFrameOfABatchUnlessConfiguredOtherwise() {
    assertEquals(6, new SegstreamApp(new SegstreamConfig(Map.of("max.batch.size", "6")), UNUSED)
        .streamsProperties().get("num.stream.threads"));
    assertEquals("2", new SegstreamApp(new SegstreamConfig(Map.of("num.stream.threads", "2")), UNUSED)
        .streamsProperties().get("num.stream.threads"));
  }

  @Test
  void masksLeaveWithoutLingeringUnlessConfiguredOtherwise() {
    assertEquals(0, new SegstreamApp(new SegstreamConfig(Map.of()), UNUSED)
        .streamsProperties().get("producer.linger.ms"));
    assertEquals("20", new SegstreamApp(new SegstreamConfig(Map.of("producer.linger.ms", "20")), UNUSED)
        .streamsProperties().get("producer.linger.ms"));
  }

  @Test
  void theStreamThreadsDoNotWarnThatTheGlobalThreadHasNoProcessingExceptionHandler() {
    // The stream threads (8 by default) and their consumers' partition assignors are made with the
    // client, before it starts; no broker is needed for that.
    SegstreamApp app = new SegstreamApp(
        new SegstreamConfig(Map.of(SegstreamConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9")), UNUSED);
    String output;
    try (CapturedOutput captured = new CapturedOutput()) {
      new KafkaStreams(app.topology(), app.streamsProperties()).close(Duration.ofSeconds(10));
      output = captured.text();
    }
    assertFalse(output.contains("Processing exception handler is not enabled for the GlobalThread"), output);
  }
}
