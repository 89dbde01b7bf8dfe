package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.Segmenter;
import io.segstream.topology.SegstreamApp;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

  private final SegmenterFactory segmenterFactory;

  public RunCommand() {
    this(SegmenterFactory.modelBacked());
  }

  RunCommand(SegmenterFactory segmenterFactory) {
    this.segmenterFactory = segmenterFactory;
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
    try (Segmenter segmenter = segmenterFactory.open(config);
        SegstreamApp app = new SegstreamApp(config, segmenter)) {
      System.err.printf("segstream: model %s %s, reading %s from %s%n",
          segmenter.modelInfo().name(), segmenter.modelInfo().version(),
          config.getString(SegstreamConfig.TOPIC_FRAMES),
          config.getString(SegstreamConfig.BOOTSTRAP_SERVERS));
      KafkaStreams streams = app.start();
      try {
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
