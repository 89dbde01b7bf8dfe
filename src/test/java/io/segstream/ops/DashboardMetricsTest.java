package io.segstream.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard only queries metric names segstream really exports. */
class DashboardMetricsTest {

  @Test
  void everySegstreamMetricTheDashboardQueriesIsExported() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    InferenceMetrics inference = new InferenceMetrics(registry, "fcn", "1");
    InferenceMetrics.Instance instance = inference.instance("cpu", "0");
    instance.queued(1_000);
    instance.executed(4, 2_000_000);
    instance.succeeded();
    inference.pendingRequests(new Object(), o -> 0);
    inference.rejected();
    FrameMetrics frames = new FrameMetrics(registry);
    frames.segmented(1_000, 1_050);
    String scrape = registry.scrape();

    String dashboard = Files.readString(Path.of("deploy/grafana/segstream-dashboard.json"));
    Set<String> queried = new TreeSet<>();
    Matcher m = Pattern.compile("segstream_[a-z_]+").matcher(dashboard);
    while (m.find()) {
      queried.add(m.group());
    }
    assertFalse(queried.isEmpty());
    for (String metric : queried) {
      assertTrue(scrape.contains(metric), metric + " is queried by the dashboard but not exported");
    }
  }
}
