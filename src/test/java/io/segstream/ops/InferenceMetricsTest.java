package io.segstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class InferenceMetricsTest {

  @Test
  void meanBatchSizeCountsTheImagesEachCallCarried() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    InferenceMetrics.Instance instance = new InferenceMetrics(registry, "fcn", "1").instance("cpu", "0");
    InferenceMetrics.Totals before = InferenceMetrics.totals(registry);

    instance.executed(4, 9_000_000);
    // A snapshot between a call and its per-image outcomes: the success counter has not moved yet.
    InferenceMetrics.Totals mid = InferenceMetrics.totals(registry).minus(before);
    assertEquals(4.0, mid.meanBatchSize(), 1e-9);
    assertEquals(0, mid.images());

    for (int i = 0; i < 4; i++) {
      instance.succeeded();
    }
    instance.executed(2, 7_000_000);
    InferenceMetrics.Totals after = InferenceMetrics.totals(registry).minus(before);
    assertEquals(3.0, after.meanBatchSize(), 1e-9);
    assertEquals(8.0, after.meanComputeMsPerCall(), 1e-9);
    assertEquals(4, after.images());
  }
}
