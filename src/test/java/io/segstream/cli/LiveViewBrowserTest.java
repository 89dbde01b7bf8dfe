package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.testing.HeadlessChromium;
import io.segstream.testing.Material;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code segstream view} in a real browser: headless Chromium loads the page while {@code run}
 * (default FCN model) segments three live synthetic cameras, one of which stops sending. The page
 * mirrors its state into data-* attributes, which the test reads through the DevTools protocol.
 * The screenshot lands in target/live-view.png (docs/images/live-view.png is one of these).
 */
class LiveViewBrowserTest {

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  /** The page's state as the test reads it: per camera its overlay, chart points and staleness. */
  private static final String STATE = """
      JSON.stringify({
        connected: document.getElementById('processor').dataset.connected === 'true',
        processor: document.getElementById('processor').textContent,
        cameras: [...document.querySelectorAll('.camera')].map(c => ({
          stream: c.dataset.stream,
          overlayWidth: c.querySelector('img.overlay').naturalWidth,
          overlaySeq: Number(c.dataset.overlaySeq || -1),
          points: Number(c.dataset.chartPoints || 0),
          stale: c.dataset.stale === 'true',
          chartInk: (() => { const d = c.querySelector('canvas').getContext('2d')
              .getImageData(0, 0, 576, 512).data; let n = 0;
              for (let i = 0; i < d.length; i += 4)
                if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 80) n++;
              return n; })()
        }))
      })""";

  @Test
  void thePageShowsEveryCameraLiveAndTheOneThatStoppedAsStale(@TempDir Path dir) throws Exception {
    Material.require(HeadlessChromium.installed(),
        "chromium is not installed (scripts/fetch-live-tools.sh, or apt-get install chromium)");
    try (LivePipeline pipeline = new LivePipeline(broker.bootstrapServers(), "view-test", dir)) {
      ViewCommand view = new ViewCommand();
      pipeline.start("segstream-test-view", () -> new CommandLine(view).execute("--config",
          pipeline.settings().toString(), "-D", "view.metrics.url=" + pipeline.metricsUrl()));
      String url = view.awaitUrl(60_000);
      assertTrue(url != null && url.startsWith("http://127.0.0.1:"), "the view serves on loopback: " + url);
      pipeline.startCameras(4);
      try (HeadlessChromium chromium = new HeadlessChromium(url, 1240, 900, dir.resolve("chromium"))) {
        JsonNode[] state = new JsonNode[1];
        LivePipeline.waitFor(Duration.ofSeconds(120), "an overlay for each camera, charts with points", () -> {
          state[0] = read(chromium);
          Set<String> shown = new TreeSet<>();
          for (JsonNode camera : state[0].get("cameras")) {
            if (camera.get("overlayWidth").asInt() == 64 && camera.get("overlaySeq").asLong() >= 0
                && camera.get("points").asInt() > 0) {
              shown.add(camera.get("stream").asText());
            }
          }
          return state[0].get("connected").asBoolean() && shown.equals(Set.of("cam-0", "cam-1", "cam-2"));
        });
        int pointsBefore = camera(state[0], "cam-0").get("points").asInt();
        LivePipeline.waitFor(Duration.ofSeconds(60), "cam-0's chart gains points, cam-2 turns stale, "
            + "the processor's batch size shows", () -> {
          state[0] = read(chromium);
          return camera(state[0], "cam-0").get("points").asInt() >= pointsBefore + 8
              && camera(state[0], "cam-2").get("stale").asBoolean()
              && state[0].get("processor").asText().matches(".*mean batch \\d+\\.\\d\\d.*");
        });
        assertTrue(!camera(state[0], "cam-0").get("stale").asBoolean()
            && !camera(state[0], "cam-1").get("stale").asBoolean(), "the sending cameras are live: " + state[0]);
        assertTrue(camera(state[0], "cam-0").get("chartInk").asInt() > 50,
            "the chart draws class lines (coloured pixels): " + state[0]);
        assertEquals(Set.of("cam-0", "cam-1", "cam-2"), streams(state[0]), "one panel per camera");
        Path screenshot = Path.of("target", "live-view.png");
        Files.write(screenshot, chromium.screenshot());
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot with content");
      }
    }
  }

  private static JsonNode read(HeadlessChromium chromium) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(chromium.evaluate(STATE).asText());
  }

  private static JsonNode camera(JsonNode state, String stream) {
    for (JsonNode camera : state.get("cameras")) {
      if (camera.get("stream").asText().equals(stream)) {
        return camera;
      }
    }
    throw new AssertionError("no panel for " + stream + ": " + state);
  }

  private static Set<String> streams(JsonNode state) {
    Set<String> streams = new TreeSet<>();
    state.get("cameras").forEach(c -> streams.add(c.get("stream").asText()));
    return streams;
  }
}
