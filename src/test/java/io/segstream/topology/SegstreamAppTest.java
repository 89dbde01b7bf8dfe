package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.Segmenter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SegstreamAppTest {

  private static final Segmenter UNUSED = TestSegmenters.brightness();

  @Test
  void runsTwoStreamThreadsWhateverTheBatchSizeUnlessConfiguredOtherwise() {
    assertEquals(2, new SegstreamApp(new SegstreamConfig(Map.of("max.batch.size", "32")), UNUSED)
        .streamsProperties().get("num.stream.threads"));
    assertEquals("1", new SegstreamApp(new SegstreamConfig(Map.of("num.stream.threads", "1")), UNUSED)
        .streamsProperties().get("num.stream.threads"));
  }

  @Test
  void anIdleStreamThreadLooksForResultsInFlightOften() {
    assertEquals(SegstreamApp.POLL_MS, new SegstreamApp(new SegstreamConfig(Map.of()), UNUSED)
        .streamsProperties().get("poll.ms"));
  }

  @Test
  void masksLeaveWithoutLingeringUnlessConfiguredOtherwise() {
    assertEquals(0, new SegstreamApp(new SegstreamConfig(Map.of()), UNUSED)
        .streamsProperties().get("producer.linger.ms"));
    assertEquals("20", new SegstreamApp(new SegstreamConfig(Map.of("producer.linger.ms", "20")), UNUSED)
        .streamsProperties().get("producer.linger.ms"));
  }
}
