package io.segstream.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.TestSegmenters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two processor instances on one frames topic, the second joining mid-stream while the first has
 * frames in flight (the model answers after a delay, like an accelerator): the rebalance moves a
 * partition with results not yet forwarded. Under exactly_once_v2 every frame gets exactly one mask,
 * in order per camera; under at_least_once none is lost.
 */
@Tag("reliability")
@Timeout(240)
class ScaleOutTest {

  private static final int FRAMES = 600;
  private static final int CAMERAS = 4;
  private static final Duration FRAME_INTERVAL = Duration.ofMillis(5);
  private static final Duration MODEL_DELAY = Duration.ofMillis(25);
  private static final int JOIN_AFTER_COMMITTED = 100;
  /** Frames sent after the second instance owns a partition: it must process some of them. */
  private static final int FRAMES_AFTER_JOIN = 200;

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  /** The brightness model, answering {@link #MODEL_DELAY} after the call without holding a thread. */
  private static Segmenter delayedModel() {
    Segmenter brightness = TestSegmenters.brightness();
    return new Segmenter() {
      @Override
      public ModelInfo modelInfo() {
        return brightness.modelInfo();
      }

      @Override
      public Segmentation segment(RgbImage image) throws SegmentationException {
        return brightness.segment(image);
      }

      @Override
      public CompletableFuture<Segmentation> segmentAsync(RgbImage image) {
        return CompletableFuture.supplyAsync(() -> null,
                CompletableFuture.delayedExecutor(MODEL_DELAY.toMillis(), TimeUnit.MILLISECONDS))
            .thenCompose(ignored -> brightness.segmentAsync(image));
      }
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
  void aSecondInstanceJoiningMidStreamLosesAndDuplicatesNothing(String guarantee) throws Exception {
    Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers(), guarantee);
    SegstreamConfig config = new SegstreamConfig(settings);
    Map<String, Object> client = Harness.client(settings);
    String frames = config.getString(SegstreamConfig.TOPIC_FRAMES);
    String group = config.getString(SegstreamConfig.APPLICATION_ID);
    ExecutorService sender = Executors.newSingleThreadExecutor();
    int sent;
    try (SegstreamApp first = new SegstreamApp(config, delayedModel());
        SegstreamApp second = new SegstreamApp(config, delayedModel())) {
      first.start();
      assertTrue(first.awaitRunning(Duration.ofSeconds(60)), "the first instance runs");
      // The stream goes on until the second instance owns a partition, then for FRAMES_AFTER_JOIN more.
      AtomicBoolean secondOwnsAPartition = new AtomicBoolean();
      Future<Integer> sending = Harness.sendFrames(sender, client, config, FRAMES, secondOwnsAPartition::get,
          FRAMES_AFTER_JOIN, CAMERAS, 32, FRAME_INTERVAL);
      Harness.await("the first instance to commit " + JOIN_AFTER_COMMITTED + " frames", Duration.ofSeconds(60),
          () -> Harness.committed(client, group, frames) >= JOIN_AFTER_COMMITTED);
      List<String> inFlight = new ArrayList<>();
      for (int partition = 0; partition < 2; partition++) {
        TopicPartition tp = new TopicPartition(frames, partition);
        first.framesInFlight().oldest(tp).ifPresent(offset -> inFlight.add(tp + "@" + offset));
      }
      System.out.println("second instance joins; first instance's oldest frames in flight: " + inFlight);
      second.start();
      Harness.await("the second instance to take over a partition", Duration.ofSeconds(120),
          () -> second.streams().metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty()));
      secondOwnsAPartition.set(true);
      sent = sending.get();
      Harness.awaitDrained(settings);
    } finally {
      sender.shutdownNow();
    }

    Harness.Tally tally = Harness.Tally.of("second instance joins mid-stream", guarantee, sent, client, config)
        .report();
    assertEquals(List.of(), tally.lost(), "frames without a mask");
    assertEquals(0, tally.total(tally.deadLetters()), "dead letters");
    if ("exactly_once_v2".equals(guarantee)) {
      assertEquals(0, tally.duplicates(), "duplicates under exactly-once");
      assertInOrderPerCamera(Harness.readAll(client, config.getString(SegstreamConfig.TOPIC_MASKS)));
    }
  }

  /** Masks of each camera (one partition each) carry increasing input ids. */
  private static void assertInOrderPerCamera(List<ConsumerRecord<byte[], byte[]>> masks) {
    Map<String, Long> last = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> mask : masks) {
      String camera = new String(mask.key(), StandardCharsets.UTF_8);
      long id = Harness.idOf(mask);
      Long before = last.put(camera, id);
      assertTrue(before == null || before < id, camera + ": mask of input " + id + " after input " + before);
    }
  }
}
