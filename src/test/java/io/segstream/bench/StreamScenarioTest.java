package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.serde.SkippingReader;
import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.Segmenter;
import io.segstream.model.GroundTruthSegmenter;
import io.segstream.model.SyntheticScenes;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.testing.FreshTopics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The bench's consumer reads masks through {@link SkippingReader}: records that are no mask answer no frame. */
@Tag("integration")
@Timeout(180)
class StreamScenarioTest {

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  @Test
  void tombstonesAndGarbageOnTheMasksTopicAreSkippedCountedAndNotTakenForMasks() throws Exception {
    Map<String, Object> settings = FreshTopics.settings(broker.bootstrapServers(), "scenario-junk");
    String masksTopic = (String) settings.get(SegstreamConfig.TOPIC_MASKS);
    // One frame in flight per task: the stream thread waits for each frame before the next.
    settings.put(SegstreamConfig.MAX_FRAMES_IN_FLIGHT, 1);
    SyntheticScenes scenes = new SyntheticScenes();
    GroundTruthSegmenter oracle = new GroundTruthSegmenter();
    List<RgbImage> images = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      SyntheticScenes.Scene scene = scenes.generate(900 + i, 24, 16);
      oracle.register(scene);
      images.add(scene.image());
    }
    // The broker runs in this JVM; this process stands in for a broker process of its own.
    long self = ProcessHandle.current().pid();
    try (StreamScenario scenario = new StreamScenario(new SegstreamConfig(settings), oracle, null, null,
            () -> ProcessCpu.nanosOf(self), images, ImageEncoding.PNG, Duration.ofSeconds(120));
        KafkaProducer<String, byte[]> producer = broker.rawProducer()) {
      sendJunk(producer, masksTopic);
      StreamBenchResult.DrainPhase drained = scenario.drainBacklog(0, 4);
      assertEquals(4, drained.frames(), drained.toString());
      assertTrue(drained.windowWait() > 0 && drained.windowWait() <= 1, "the window of one frame made threads wait: "
          + drained);
      // Each frame's decoded image alone is 24 x 16 x 3 bytes.
      assertTrue(drained.allocatedKbPerFrame() > 24 * 16 * 3 / 1024.0, drained.toString());
      // Between frames the threads wait in the consumer's poll.
      assertTrue(drained.kafkaWait() > 0 && drained.kafkaWait() <= 1, drained.toString());
      // Read in clock ticks, so a phase this short may read zero, but never unknown.
      assertTrue(drained.brokerCpuMsPerFrame() >= 0, drained.toString());

      // Junk in the middle of the paced run, whose consumer reads every mask for its capture time.
      sendJunk(producer, masksTopic);
      StreamBenchResult.PacedPhase paced = scenario.paced(50, 4);
      assertEquals(4, paced.frames(), paced.toString());
      // Latency from the frames topic starts at the broker's append, after the capture.
      assertTrue(paced.fromTopic().p99Ms() >= 0 && paced.fromTopic().p99Ms() <= paced.p99Ms(), paced.toString());
      // Each frame's model call lies inside its processing, which lies inside its way from the topic (read
      // in whole milliseconds there, hence the 1 ms).
      assertTrue(paced.modelCall().p99Ms() > 0 && paced.modelCall().p99Ms() < paced.processing().p99Ms(),
          paced.toString());
      assertTrue(paced.processing().p99Ms() <= paced.fromTopic().p99Ms() + 1, paced.toString());
      assertEquals("LogAppendTime", framesTimestampType(settings), "the frames are stamped when appended");
      // The machine (Linux /proc/stat) was busy, at least with this processor, for part of the phase.
      assertTrue(paced.machineBusy() > 0 && paced.machineBusy() <= 1, paced.toString());
      assertTrue(paced.brokerCpuMsPerFrame() >= 0, paced.toString());

      String report = scenario.unreadableReport().orElseThrow();
      assertTrue(report.startsWith("skipped 4 unreadable records on " + masksTopic
          + ": 2 null (tombstone), 2 not a SegmentationMask (first at partition 0 offset "), report);
    }
    // Closed, the scenario leaves no topics behind.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      Set<String> left = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertFalse(left.contains(masksTopic) || left.contains((String) settings.get(SegstreamConfig.TOPIC_FRAMES)),
          left.toString());
    }
  }

  @Test
  void aTimeoutSaysHowFarTheProcessorGot() throws Exception {
    Map<String, Object> settings = FreshTopics.settings(broker.bootstrapServers(), "scenario-stuck");
    SyntheticScenes.Scene scene = new SyntheticScenes().generate(950, 24, 16);
    GroundTruthSegmenter oracle = new GroundTruthSegmenter();
    // A model whose answers never come: the frames are read, nothing is answered or committed.
    Segmenter neverAnswers = new Segmenter() {
      @Override
      public ModelInfo modelInfo() {
        return oracle.modelInfo();
      }

      @Override
      public Segmentation segment(RgbImage image) {
        throw new UnsupportedOperationException("answers asynchronously");
      }

      @Override
      public CompletableFuture<Segmentation> segmentAsync(RgbImage image) {
        return new CompletableFuture<>();
      }
    };
    try (StreamScenario scenario = new StreamScenario(new SegstreamConfig(settings), neverAnswers, null, null, null,
        List.of(scene.image()), ImageEncoding.PNG, Duration.ofSeconds(8))) {
      TimeoutException timeout = assertThrows(TimeoutException.class, () -> scenario.drainBacklog(0, 4));
      String frames = (String) settings.get(SegstreamConfig.TOPIC_FRAMES);
      // Every frame was read, none answered: the commit barrier holds the committed offsets at 0 (if
      // a commit happened yet).
      assertTrue(timeout.getMessage().matches("only 0 masks and 0 dead letters of 4 frames within 8 s; processor RUNNING, "
          + "frames topic end offsets \\{" + frames + "-0=2, " + frames + "-1=2\\}, committed \\{("
          + frames + "-0=0, " + frames + "-1=0)?\\}"), timeout.getMessage());
    }
  }

  private static String framesTimestampType(Map<String, Object> settings) throws Exception {
    ConfigResource frames = new ConfigResource(ConfigResource.Type.TOPIC, (String) settings.get(SegstreamConfig.TOPIC_FRAMES));
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      return admin.describeConfigs(List.of(frames)).all().get(30, TimeUnit.SECONDS).get(frames)
          .get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG).value();
    }
  }

  private static void sendJunk(KafkaProducer<String, byte[]> producer, String topic) {
    producer.send(new ProducerRecord<>(topic, 0, "cam-0", null));
    producer.send(new ProducerRecord<>(topic, 0, "cam-0", "no mask".getBytes(StandardCharsets.UTF_8)));
    producer.flush();
  }
}
