package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.segstream.config.SegstreamConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole inference stack on a real (tiny) TensorFlow model: config, pool, batcher, metrics. */
class SegmentersTest {

  @TempDir Path tmp;

  @Test
  void twoCpuInstancesBehindTheBatcherSegmentConcurrentCallersExactly() throws Exception {
    Path modelDir = ColourModel.export(tmp.resolve("colour"), ColourModel.Outputs.PROBABILITIES_AND_CLASSES);
    SegstreamConfig config = new SegstreamConfig(Map.of(
        SegstreamConfig.MODEL_DIR, modelDir.toString(),
        SegstreamConfig.DEVICES, "cpu",
        SegstreamConfig.INSTANCES_PER_DEVICE, "2",
        SegstreamConfig.MAX_BATCH_SIZE, "4",
        SegstreamConfig.MAX_QUEUE_DELAY_MS, "2"));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ExecutorService callers = Executors.newFixedThreadPool(6);

    try (DynamicBatcher segmenter = Segmenters.fromConfig(config, registry)) {
      assertEquals(new ModelInfo("colour", "1", ColourModel.LABELS), segmenter.modelInfo());
      List<Future<?>> threads = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int thread = t;
        threads.add(callers.submit(() -> {
          for (int i = 0; i < 5; i++) {
            int seed = thread * 10 + i;
            int width = i % 2 == 0 ? 100 : 37;
            int height = i % 2 == 0 ? 152 : 61;
            Segmentation result = segmenter.segment(ColourModel.image(width, height, seed));
            assertArrayEquals(ColourModel.expectedMask(width, height, seed), result.classIds());
          }
          return null;
        }));
      }
      for (Future<?> thread : threads) {
        thread.get(60, TimeUnit.SECONDS);
      }

      String scrape = registry.scrape();
      for (String series : List.of("segstream_inference_requests_total{", "segstream_inference_executions_total{",
          "segstream_inference_batch_size_count{", "segstream_inference_queue_time_seconds_count{",
          "segstream_inference_compute_time_seconds_count{", "segstream_inference_pending{",
          "segstream_inference_rejected_total{")) {
        assertTrue(scrape.contains(series), series + " in\n" + scrape);
      }
      assertTrue(scrape.contains("instance=\"cpu#1\""), scrape);
      double answered = registry.get(io.segstream.ops.InferenceMetrics.REQUESTS).counters().stream()
          .mapToDouble(c -> c.count()).sum();
      assertEquals(30, answered);
    } finally {
      callers.shutdownNow();
    }
    assertFalse(registry.scrape().contains("segstream_inference"), "meters are removed on close");
  }
}
