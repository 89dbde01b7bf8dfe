package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.image.FrameDecoder;
import io.segstream.view.CameraBoard;
import io.segstream.view.ProcessorMetrics;
import io.segstream.view.TopicFeed;
import io.segstream.view.ViewServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.types.Password;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The live view: a web page of every camera's latest overlay, class areas over time, rates and
 * latency, pushed as they happen. A command of its own that reads the topics (not a page of {@code
 * run}'s server): it sees every camera whichever replica processed it, its private frames stay off
 * the port that probes and Prometheus reach, and the processor spends nothing on pictures.
 */
@Command(
    name = "view",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the live view: each camera's latest frame with its mask, class areas over time,",
      "frames/s, latency and the processor's batch size, pushed to the browser.",
      "Listens on view.bind.address (127.0.0.1); view.auth.token and view.tls.* when exposed.",
      "Stop with Ctrl-C."
    })
public final class ViewCommand implements Callable<Integer> {

  @Mixin ConfigOptions configOptions;

  private final CountDownLatch started = new CountDownLatch(1);
  private volatile String url;

  /** The page's address once serving (tests wait on it). */
  String awaitUrl(long timeoutMs) throws InterruptedException {
    started.await(timeoutMs, TimeUnit.MILLISECONDS);
    return url;
  }

  @Override
  public Integer call() throws Exception {
    SegstreamConfig config = configOptions.load();
    String keystore = config.getString(SegstreamConfig.VIEW_TLS_KEYSTORE_LOCATION);
    ViewServer.Settings settings = new ViewServer.Settings(
        config.getString(SegstreamConfig.VIEW_BIND_ADDRESS), config.getInt(SegstreamConfig.VIEW_PORT),
        secret(config.getPassword(SegstreamConfig.VIEW_AUTH_TOKEN)),
        keystore.isBlank() ? null : Path.of(keystore),
        secret(config.getPassword(SegstreamConfig.VIEW_TLS_KEYSTORE_PASSWORD)),
        config.getLong(SegstreamConfig.VIEW_STALE_MS));
    CameraBoard board = new CameraBoard(
        new FrameDecoder(config.getInt(SegstreamConfig.MAX_FRAME_BYTES), config.getLong(SegstreamConfig.MAX_FRAME_PIXELS)),
        settings.staleMs(), System::currentTimeMillis);
    ProcessorMetrics metrics =
        new ProcessorMetrics(config.getString(SegstreamConfig.VIEW_METRICS_URL), System::currentTimeMillis);
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(stop::countDown, "segstream-view-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "segstream-view-metrics");
      thread.setDaemon(true);
      return thread;
    });
    // The server first: a refused address should fail before anything connects to Kafka.
    try (ViewServer server = new ViewServer(settings, board, metrics::latest);
        TopicFeed feed = new TopicFeed(config, board).start()) {
      scraper.scheduleWithFixedDelay(metrics::refresh, 0, 2, TimeUnit.SECONDS);
      url = server.url();
      started.countDown();
      System.err.println("segstream view: " + url + " (cameras of " + config.getString(SegstreamConfig.TOPIC_MASKS)
          + " at " + config.getString(SegstreamConfig.BOOTSTRAP_SERVERS) + ")");
      stop.await();
    } catch (InterruptedException e) {
      // Interrupting the command's thread is a stop request too (embedding, tests).
      Thread.currentThread().interrupt();
    } finally {
      scraper.shutdownNow();
      if (stop.getCount() > 0) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }
    return 0;
  }

  private static String secret(Password password) {
    return password == null || password.value().isEmpty() ? null : password.value();
  }
}
