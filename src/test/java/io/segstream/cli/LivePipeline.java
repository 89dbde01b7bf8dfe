package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.topology.FrameProducers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;

/**
 * A running processor for the tests that watch one from outside (browser, Prometheus): {@code run}
 * with the default FCN model and its HTTP server, fed by synthetic cameras at a live frame rate.
 * {@link #QUIET_CAMERA} stops sending after a few frames, so there is a camera that goes stale. The
 * application id does not contain "segstream": nothing (the dashboard) may rely on it.
 */
final class LivePipeline implements AutoCloseable {

  static final int CAMERAS = 3;
  static final String QUIET_CAMERA = "cam-2";
  private static final long QUIET_AFTER_SEQ = 6;

  private final Path settings;
  private final RunCommand run = new RunCommand();
  private final List<Thread> threads = new ArrayList<>();
  private final int[] runExit = {-1};
  private volatile boolean stopping;

  /** Starts {@code run} against {@code bootstrap} with topics named after {@code name}; ready when it returns. */
  LivePipeline(String bootstrap, String name, Path dir) throws Exception {
    settings = dir.resolve(name + ".properties");
    Files.writeString(settings, String.join("\n", "bootstrap.servers=" + bootstrap, "application.id=" + name + "-app",
        "topic.frames=" + name + "-frames", "topic.masks=" + name + "-masks", "topic.areas=" + name + "-areas",
        "topic.dlq=" + name + "-dlq", "topic.partitions=4", "max.batch.size=4", "http.port=0", "view.port=0",
        "view.stale.ms=3000", ""));
    start("segstream-test-run", () -> runExit[0] = new CommandLine(run).execute("--config", settings.toString()));
    HttpClient http = HttpClient.newHttpClient();
    waitFor(Duration.ofSeconds(120), "run's /readyz answers 200", () -> {
      if (run.healthPort() <= 0) {
        return false;
      }
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(metricsUrl().replace("/metrics", "/readyz")))
          .build(), HttpResponse.BodyHandlers.ofString());
      return ready.statusCode() == 200;
    });
  }

  /** The settings file: the same for {@code view} (bootstrap, topics, view.*). */
  Path settings() {
    return settings;
  }

  String metricsUrl() {
    return "http://127.0.0.1:" + run.healthPort() + "/metrics";
  }

  int httpPort() {
    return run.healthPort();
  }

  /** Sends 64x64 synthetic frames from {@link #CAMERAS} cameras at {@code fps} each until closed. */
  void startCameras(double fps) throws IOException {
    SegstreamConfig config = SegstreamConfig.load(settings, Map.of());
    SyntheticDemoSource source = new SyntheticDemoSource(CAMERAS * 600, CAMERAS, 64, 64, ImageEncoding.PNG, fps);
    start("segstream-test-cameras", () -> {
      try (KafkaProducer<String, ImageFrame> producer = FrameProducers.create(config)) {
        source.send(frame -> {
          if (stopping) {
            throw new IOException("cameras stopped");
          }
          if (!frame.getStreamId().equals(QUIET_CAMERA) || frame.getFrameSeq() < QUIET_AFTER_SEQ) {
            producer.send(new ProducerRecord<>(config.getString(SegstreamConfig.TOPIC_FRAMES), frame.getStreamId(),
                frame));
          }
        });
      } catch (IOException e) {
        // closed
      }
    });
  }

  /** Runs {@code command} on a thread that {@link #close} interrupts and joins. */
  void start(String name, Runnable command) {
    Thread thread = new Thread(command, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  /** Polls {@code condition} until it holds; fails with {@code what} after {@code limit}. */
  static void waitFor(Duration limit, String what, Condition condition) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting until " + what
        + (last == null ? "" : " (last error: " + last + ")"));
  }

  @Override
  public void close() throws InterruptedException {
    stopping = true;
    for (int i = threads.size() - 1; i >= 0; i--) {
      threads.get(i).interrupt();
      threads.get(i).join(60_000);
    }
  }
}
