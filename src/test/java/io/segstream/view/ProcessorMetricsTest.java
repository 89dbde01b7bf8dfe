package io.segstream.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.segstream.ops.FrameMetrics;
import io.segstream.ops.InferenceMetrics;
import org.junit.jupiter.api.Test;

/** The view's processor figures come from the names and labels the processor really exports. */
class ProcessorMetricsTest {

  @Test
  void framesPerSecondAndMeanBatchSizeBetweenTwoScrapesOfTheRealRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    FrameMetrics frames = new FrameMetrics(registry);
    InferenceMetrics.Instance instance = new InferenceMetrics(registry, "fcn", "1").instance("cpu", "0");
    frames.segmented(1_000, 1_020);
    instance.executed(1, 1_000_000);
    ProcessorMetrics.Sample before = ProcessorMetrics.parse(10_000, registry.scrape());

    for (int i = 0; i < 20; i++) {
      frames.segmented(1_000, 1_040);
    }
    frames.deadLettered();
    instance.executed(4, 1_000_000);
    instance.executed(4, 1_000_000);
    instance.executed(2, 1_000_000);
    ProcessorMetrics.Figures figures =
        ProcessorMetrics.figures(before, ProcessorMetrics.parse(12_000, registry.scrape()));

    assertEquals(10.0, figures.framesPerSecond(), 1e-9, "20 segmented frames in 2 s; dead letters do not count");
    assertEquals(10.0 / 3, figures.meanBatchSize(), 1e-9);
    assertTrue(figures.p95LatencyMs() >= 20 && figures.p95LatencyMs() <= 45, "p95 " + figures.p95LatencyMs());
  }

  @Test
  void withoutAUrlThePageSaysWhy() {
    ProcessorMetrics metrics = new ProcessorMetrics("", System::currentTimeMillis);
    metrics.refresh();
    assertEquals("view.metrics.url not set", metrics.latest().problem());
  }
}
