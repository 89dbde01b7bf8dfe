package io.segstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void readinessFollowsItsChecksAndMetricsAreScraped() throws Exception {
    AtomicBoolean modelWarm = new AtomicBoolean(false);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.counter("segstream_test_requests").increment(3);
    try (HealthServer server =
        new HealthServer(
            0,
            List.of(new HealthServer.Check("process", () -> true)),
            List.of(new HealthServer.Check("model-warm", modelWarm::get)),
            registry)) {
      HttpResponse<String> live = get(server, "/healthz");
      assertEquals(200, live.statusCode());

      HttpResponse<String> notReady = get(server, "/readyz");
      assertEquals(503, notReady.statusCode());
      assertTrue(notReady.body().contains("model-warm failing"), notReady.body());

      modelWarm.set(true);
      assertEquals(200, get(server, "/readyz").statusCode());

      HttpResponse<String> metrics = get(server, "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("segstream_test_requests_total 3.0"), metrics.body());
    }
  }

  private HttpResponse<String> get(HealthServer server, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
