package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.config.SegstreamConfig;
import io.segstream.inference.ColourModel;
import io.segstream.inference.RetryingSegmenter;
import io.segstream.inference.Segmenter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmenterFactoryTest {

  @Test
  void theModelBackedSegmenterRetriesFailedInferencesAsConfigured(@TempDir Path dir) throws Exception {
    Path model = ColourModel.export(dir.resolve("colour"), ColourModel.Outputs.PROBABILITIES_AND_CLASSES);
    SegmenterFactory factory = SegmenterFactory.modelBacked(new SimpleMeterRegistry());
    Map<String, Object> settings = Map.of(SegstreamConfig.MODEL_DIR, model.toString(),
        SegstreamConfig.DEVICES, "cpu", SegstreamConfig.MODEL_POLL_MS, 0L);
    try (Segmenter segmenter = factory.open(new SegstreamConfig(settings))) {
      assertTrue(segmenter instanceof RetryingSegmenter, "model.retries defaults to 2");
      assertEquals("colour", segmenter.modelInfo().name());
    }
    Map<String, Object> noRetries = new java.util.HashMap<>(settings);
    noRetries.put(SegstreamConfig.MODEL_RETRIES, 0);
    try (Segmenter segmenter = factory.open(new SegstreamConfig(noRetries))) {
      assertFalse(segmenter instanceof RetryingSegmenter);
    }
  }
}
