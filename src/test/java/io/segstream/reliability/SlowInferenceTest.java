package io.segstream.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.inference.Segmenter;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.TestSegmenters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Inference slower than the configured max.poll.interval.ms while each task's window of frames in
 * flight is full (one frame), so the stream thread waits on the model: segstream raises the interval
 * to fit the worst-case frame, so the group never evicts the thread (no rebalance), and exactly-once
 * holds. A control run with the small interval forced through shows what that prevents: a rebalance
 * storm.
 */
@Tag("reliability")
@Timeout(180)
class SlowInferenceTest {

  private static final String GUARANTEE = "exactly_once_v2";
  private static final Duration INFERENCE = Duration.ofMillis(1500);
  private static final int SMALL_POLL_INTERVAL_MS = 1000;
  private static final int FRAMES = 6;

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  /** The brightness model, taking {@link #INFERENCE} per frame. */
  private static Segmenter slowModel() {
    Segmenter brightness = TestSegmenters.brightness();
    return TestSegmenters.of(TestSegmenters.BRIGHTNESS_MODEL, image -> {
      try {
        Thread.sleep(INFERENCE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return brightness.segment(image);
    });
  }

  private static Map<String, Object> settings() {
    Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers(), GUARANTEE);
    settings.put("num.stream.threads", 2);
    // A frame may legitimately take up to 2 s (the request timeout), yet the configured interval is 1 s.
    settings.put(SegstreamConfig.INFERENCE_TIMEOUT_MS, 2000);
    settings.put(SegstreamConfig.MODEL_RETRIES, 0);
    settings.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, SMALL_POLL_INTERVAL_MS);
    // A window of one frame: each new frame waits for the one before, as a full window does.
    settings.put(SegstreamConfig.MAX_FRAMES_IN_FLIGHT, 1);
    return settings;
  }

  private static void send(Map<String, Object> settings) {
    SegstreamConfig config = new SegstreamConfig(settings);
    try (KafkaProducer<byte[], byte[]> producer = Harness.producer(Harness.client(settings))) {
      for (int id = 0; id < FRAMES; id++) {
        String stream = "cam-" + (id % 2);
        producer.send(Harness.tagged(config.getString(SegstreamConfig.TOPIC_FRAMES), stream,
            Harness.syntheticFrame(config, stream, id, 32, 32, ImageEncoding.PNG), id));
      }
    }
  }

  /**
   * Counts the group rebalances the stream threads' consumers took part in (the consumers' {@code
   * rebalance-total}), from the moment the group settled.
   */
  private static final class Rebalances {
    private final KafkaStreams streams;
    private double atStart;

    Rebalances(KafkaStreams streams) {
      this.streams = streams;
    }

    private double total() {
      return streams.metrics().entrySet().stream()
          .filter(e -> e.getKey().group().equals("consumer-coordinator-metrics")
              && e.getKey().name().equals("rebalance-total"))
          .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue())
          .sum();
    }

    /**
     * Waits until the group is settled (RUNNING, each of the two stream threads owning one of the two
     * partitions: start-up rebalances are over), then starts counting.
     */
    Rebalances startWhenSettled() throws Exception {
      Harness.await("each stream thread to own a partition", Duration.ofSeconds(60),
          () -> streams.state() == KafkaStreams.State.RUNNING
              && streams.metadataForLocalThreads().size() == 2
              && streams.metadataForLocalThreads().stream().allMatch(thread -> thread.activeTasks().size() == 1));
      atStart = total();
      return this;
    }

    long count() {
      return Math.round(total() - atStart);
    }
  }

  @Test
  void inferenceSlowerThanTheConfiguredPollIntervalCausesNoRebalanceAndNoDuplicates() throws Exception {
    Map<String, Object> settings = settings();
    SegstreamConfig config = new SegstreamConfig(settings);
    Rebalances rebalances;
    try (SegstreamApp app = new SegstreamApp(config, slowModel())) {
      Object interval = new StreamsConfig(app.streamsProperties()).getMainConsumerConfigs("g", "c", 0)
          .get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
      System.out.println("max.poll.interval.ms configured " + SMALL_POLL_INTERVAL_MS + ", effective " + interval);
      assertTrue(Long.parseLong(interval.toString()) > INFERENCE.toMillis() * 5, "interval " + interval);
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
      rebalances = new Rebalances(app.streams()).startWhenSettled();
      send(settings);
      Harness.awaitDrained(settings);
      assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
      assertEquals(0, rebalances.count(), "rebalances while processing");
    }
    Harness.Tally tally = Harness.Tally.of("inference 1.5 s per frame, max.poll.interval.ms=1000 configured (raised)",
        GUARANTEE, FRAMES, Harness.client(settings), config).report();
    assertEquals(List.of(), tally.lost());
    assertEquals(0, tally.duplicates());
    assertEquals(FRAMES, tally.total(tally.masks()));
  }

  @Test
  void controlWithTheSmallIntervalForcedTheGroupEvictsTheSlowThreadOverAndOver() throws Exception {
    Map<String, Object> settings = settings();
    SegstreamConfig config = new SegstreamConfig(settings);
    SegstreamApp app = new SegstreamApp(config, slowModel());
    app.createMissingTopics(Duration.ofSeconds(30));
    Properties props = app.streamsProperties();
    props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG), SMALL_POLL_INTERVAL_MS);
    try (KafkaStreams streams = new KafkaStreams(app.topology(), props, app.clientSupplier())) {
      streams.start();
      Rebalances rebalances = new Rebalances(streams).startWhenSettled();
      send(settings);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (rebalances.count() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(rebalances.count() >= 2, "expected evictions and rebalances, got " + rebalances.count()
          + " rebalances; state " + streams.state() + ", threads " + streams.metadataForLocalThreads());
      long committed = Harness.committed(Harness.client(settings), config.getString(SegstreamConfig.APPLICATION_ID),
          config.getString(SegstreamConfig.TOPIC_FRAMES));
      System.out.println("control (max.poll.interval.ms=" + SMALL_POLL_INTERVAL_MS + " forced): "
          + rebalances.count() + " rebalances, " + committed + " of " + FRAMES + " frames committed");
      streams.close(Duration.ofSeconds(30));
    }
  }
}
