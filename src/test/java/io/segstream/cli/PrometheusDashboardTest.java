package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.testing.Material;
import io.segstream.testing.Tools;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard against a real Prometheus (Debian's): it scrapes {@code run}'s /metrics every
 * second while frames flow, and every PromQL expression of deploy/grafana/segstream-dashboard.json,
 * with the dashboard's variables at their defaults, must return data.
 */
class PrometheusDashboardTest {

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path DASHBOARD = Path.of("deploy/grafana/segstream-dashboard.json");

  @Test
  void everyDashboardQueryReturnsDataWhileFramesFlow(@TempDir Path dir) throws Exception {
    Material.require(Tools.runs("prometheus", "--version"),
        "prometheus is not installed (scripts/fetch-live-tools.sh, or apt-get install prometheus)");
    Map<String, String> queries = dashboardQueries(JSON.readTree(DASHBOARD.toFile()));
    assertTrue(queries.size() >= 10, "the dashboard's queries were found: " + queries.keySet());
    HttpClient http = HttpClient.newHttpClient();
    try (LivePipeline pipeline = new LivePipeline(broker.bootstrapServers(), "prom-test", dir)) {
      pipeline.startCameras(4);
      int port = freePort();
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, """
          global:
            scrape_interval: 1s
            evaluation_interval: 1s
          scrape_configs:
            - job_name: segstream
              static_configs:
                - targets: ['127.0.0.1:%d']
          """.formatted(pipeline.httpPort()));
      Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
          "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
      try {
        String api = "http://127.0.0.1:" + port + "/api/v1/query?query=";
        Map<String, String> empty = new LinkedHashMap<>(queries);
        Map<String, Long> firstDataAfterMs = new LinkedHashMap<>();
        long start = System.nanoTime();
        // rate() over [1m] needs two scrapes; lag and latency need frames through the processor. A
        // panel empty for longer than this would be empty for a person too (lag was, for a minute).
        try {
          LivePipeline.waitFor(Duration.ofSeconds(40), "every dashboard query returns data", () -> {
            assertTrue(prometheus.isAlive(), "prometheus exited");
            for (var query : new ArrayList<>(empty.entrySet())) {
              if (!resultOf(http, api, query.getValue()).isEmpty()) {
                empty.remove(query.getKey());
                firstDataAfterMs.put(query.getKey(), (System.nanoTime() - start) / 1_000_000);
              }
            }
            return empty.isEmpty();
          });
        } catch (AssertionError e) {
          throw new AssertionError("dashboard queries without data: " + empty, e);
        }
        System.out.println("PrometheusDashboardTest: first data after (ms): " + firstDataAfterMs);
        JsonNode up = resultOf(http, api, "up{job=\"segstream\"}");
        assertEquals("1", up.get(0).get("value").get(1).asText(), "the target is scraped: " + up);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\nprometheus log:\n" + Files.readString(dir.resolve("prometheus.log")), e);
      } finally {
        prometheus.destroy();
        if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly();
        }
      }
    }
  }

  /** Every panel's expressions, by "panel title / refId", with the dashboard variables as Grafana's "All" sends them. */
  static Map<String, String> dashboardQueries(JsonNode dashboard) {
    Map<String, String> allValues = new LinkedHashMap<>();
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        allValues.put("$" + variable.get("name").asText(), variable.path("allValue").asText(".*"));
      }
    }
    Map<String, String> queries = new LinkedHashMap<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expression = target.path("expr").asText();
        for (var variable : allValues.entrySet()) {
          expression = expression.replace(variable.getKey(), variable.getValue());
        }
        assertFalse(expression.contains("$"), "a variable this test does not know: " + expression);
        queries.put(panel.path("title").asText() + " / " + target.path("refId").asText(), expression);
      }
    }
    return queries;
  }

  private static JsonNode resultOf(HttpClient http, String api, String query) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
        URI.create(api + URLEncoder.encode(query, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = JSON.readTree(response.body());
    assertEquals("success", body.path("status").asText(), query + ": " + response.body());
    return body.path("data").path("result");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
