package io.segstream.cli;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.segstream.config.SegstreamConfig;
import io.segstream.inference.Segmenter;
import io.segstream.ops.FrameMetrics;
import io.segstream.ops.HealthServer;
import io.segstream.topology.SegstreamApp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The production entry point: the processor against an existing Kafka cluster. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the segmentation processor against a Kafka cluster until stopped (Ctrl-C / SIGTERM).",
      "Settings: --config FILE, SEGSTREAM_* environment variables, -D key=value (later wins)."
    })
public final class RunCommand implements Callable<Integer> {

  @Mixin ConfigOptions configOptions;

  /** How often new Kafka client metrics (a partition's lag after a rebalance) are picked up. */
  static final Duration KAFKA_METRICS_REFRESH = Duration.ofSeconds(5);

  /** Everything /metrics serves: inference, Kafka Streams client and JVM metrics. */
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final SegmenterFactory segmenterFactory;
  private final AtomicReference<KafkaStreams> running = new AtomicReference<>();
  private volatile HealthServer health;

  public RunCommand() {
    this.segmenterFactory = SegmenterFactory.modelBacked(registry);
  }

  RunCommand(SegmenterFactory segmenterFactory) {
    this.segmenterFactory = segmenterFactory;
  }

  /** The health server's port once started (tests ask for port 0). */
  int healthPort() {
    HealthServer server = health;
    return server == null ? -1 : server.port();
  }

  /** Live unless the stream threads died; a restart is the only cure then. */
  private boolean streamsAlive() {
    KafkaStreams streams = running.get();
    return streams == null || !(streams.state() == KafkaStreams.State.ERROR
        || streams.state() == KafkaStreams.State.PENDING_ERROR);
  }

  private boolean streamsRunning() {
    KafkaStreams streams = running.get();
    return streams != null && streams.state() == KafkaStreams.State.RUNNING;
  }

  @Override
  public Integer call() throws Exception {
    SegstreamConfig config = configOptions.load();
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stopRequested.countDown();
      try {
        stopped.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "segstream-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    new JvmMemoryMetrics().bindTo(registry);
    AtomicReference<Segmenter> warmModel = new AtomicReference<>();
    // Liveness answers during the model load already; readiness waits for a warm model (the pool
    // runs a probe image through every instance while loading) and RUNNING streams.
    health = new HealthServer(config.getInt(SegstreamConfig.HTTP_PORT),
        List.of(new HealthServer.Check("stream-threads", this::streamsAlive)),
        List.of(new HealthServer.Check("model-warm", () -> warmModel.get() != null),
            new HealthServer.Check("kafka-streams-running", this::streamsRunning)),
        registry);
    try (HealthServer ignored = health;
        Segmenter segmenter = segmenterFactory.open(config);
        SegstreamApp app = new SegstreamApp(config, segmenter, new FrameMetrics(registry))) {
      warmModel.set(segmenter);
      System.err.printf("segstream: model %s %s, reading %s from %s%n",
          segmenter.modelInfo().name(), segmenter.modelInfo().version(),
          config.getString(SegstreamConfig.TOPIC_FRAMES),
          config.getString(SegstreamConfig.BOOTSTRAP_SERVERS));
      KafkaStreams streams = app.start();
      running.set(streams);
      // Kafka creates per-partition metrics (records lag) only after the first fetch, and Micrometer
      // looks for new ones at each refresh: its default minute left the lag panel empty that long
      // after every start and rebalance.
      KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams, List.of(),
          Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "segstream-kafka-metrics");
            thread.setDaemon(true);
            return thread;
          }), KAFKA_METRICS_REFRESH);
      streamsMetrics.bindTo(registry);
      try (streamsMetrics) {
        while (!stopRequested.await(1, TimeUnit.SECONDS)) {
          KafkaStreams.State state = streams.state();
          if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING
              || state == KafkaStreams.State.PENDING_ERROR) {
            System.err.println("segstream: processor stopped (" + state + "); see the log above");
            return 1;
          }
        }
      } catch (InterruptedException e) {
        // Interrupting the command's thread is a stop request too (embedding, tests).
        Thread.currentThread().interrupt();
      }
      System.err.println("segstream: stopping");
      return 0;
    } finally {
      stopped.countDown();
      if (stopRequested.getCount() > 0) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }
  }
}
