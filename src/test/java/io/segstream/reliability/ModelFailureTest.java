package io.segstream.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.image.FrameEncoder;
import io.segstream.image.RgbImage;
import io.segstream.inference.BatchBackend;
import io.segstream.inference.BatcherSettings;
import io.segstream.inference.DynamicBatcher;
import io.segstream.inference.InferenceOutOfMemoryException;
import io.segstream.inference.ModelInstance;
import io.segstream.inference.ModelInstancePool;
import io.segstream.inference.RetryingSegmenter;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import io.segstream.ops.InferenceMetrics;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.topology.DeadLetters;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.TestSegmenters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * Model failures through a real broker: a failed inference costs only its frame (after a bounded
 * retry), never the stream thread; a batch that runs out of memory is split and still succeeds.
 */
@Tag("reliability")
@Timeout(180)
class ModelFailureTest {

  private static final String GUARANTEE = "exactly_once_v2";
  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  /** How the test model treats a frame; written into the frame's first pixel with the frame id. */
  private enum Behaviour { GOOD, FAILS_ONCE, ALWAYS_FAILS, BUG }

  /** A RAW frame whose first pixel carries its behaviour (red) and id (green, blue). */
  private static RgbImage image(Behaviour behaviour, int id) {
    byte[] pixels = new byte[16 * 16 * 3];
    pixels[0] = (byte) behaviour.ordinal();
    pixels[1] = (byte) id;
    pixels[2] = (byte) (id >> 8);
    return new RgbImage(16, 16, pixels);
  }

  private static int idOf(RgbImage image) {
    return (image.pixels()[1] & 0xff) | (image.pixels()[2] & 0xff) << 8;
  }

  @Test
  void aFailedInferenceCostsOnlyItsFrameAfterABoundedRetry() throws Exception {
    Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    Segmenter brightness = TestSegmenters.brightness();
    Segmenter model = TestSegmenters.of(TestSegmenters.BRIGHTNESS_MODEL, image -> {
      int made = attempts.computeIfAbsent(idOf(image), id -> new AtomicInteger()).incrementAndGet();
      return switch (Behaviour.values()[image.pixels()[0]]) {
        case GOOD -> brightness.segment(image);
        case FAILS_ONCE -> {
          if (made == 1) {
            throw new SegmentationException("device busy");
          }
          yield brightness.segment(image);
        }
        case ALWAYS_FAILS -> throw new SegmentationException("model crashed on this frame");
        case BUG -> throw new IllegalStateException("segmenter bug");
      };
    });
    Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers(), GUARANTEE);
    settings.put(SegstreamConfig.MODEL_RETRIES, 2);
    settings.put(SegstreamConfig.MODEL_RETRY_BACKOFF_MS, 10L);
    SegstreamConfig config = new SegstreamConfig(settings);
    int frames = 40;
    // As the run command's segmenter does (SegmenterFactory.modelBacked).
    try (SegstreamApp app = new SegstreamApp(config, RetryingSegmenter.fromConfig(model, config))) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
      send(settings, config, frames, id -> image(Behaviour.values()[id % 4], id), id -> null);
      Harness.awaitDrained(settings);
      assertEquals(KafkaStreams.State.RUNNING, app.streams().state(), "the stream threads survived");
    }

    Harness.Tally tally = Harness.Tally.of("model errors: transient, persistent, bug (10 each + 10 good)",
        GUARANTEE, frames, Harness.client(settings), config).report();
    assertEquals(List.of(), tally.lost());
    assertEquals(0, tally.duplicates());
    for (int id = 0; id < frames; id++) {
      Behaviour behaviour = Behaviour.values()[id % 4];
      boolean masked = behaviour == Behaviour.GOOD || behaviour == Behaviour.FAILS_ONCE;
      assertEquals(masked, tally.masks().containsKey((long) id), behaviour + " frame " + id);
      int expectedAttempts = switch (behaviour) {
        case GOOD, BUG -> 1;
        case FAILS_ONCE -> 2;
        case ALWAYS_FAILS -> 3;
      };
      assertEquals(expectedAttempts, attempts.get(id).get(), behaviour + " frame " + id + " attempts");
    }
    for (ConsumerRecord<byte[], byte[]> dead : Harness.readAll(Harness.client(settings), config.getString(SegstreamConfig.TOPIC_DLQ))) {
      Behaviour behaviour = Behaviour.values()[(int) (Harness.idOf(dead) % 4)];
      assertEquals(DeadLetters.MODEL_ERROR, DeadLetters.header(dead.headers(), DeadLetters.CODE));
      assertEquals("segment", DeadLetters.header(dead.headers(), DeadLetters.STAGE));
      String reason = DeadLetters.header(dead.headers(), DeadLetters.REASON);
      if (behaviour == Behaviour.ALWAYS_FAILS) {
        assertEquals("segmentation failed: model crashed on this frame (gave up after 3 attempts)", reason);
      } else {
        assertEquals(Behaviour.BUG, behaviour);
        assertEquals("segmentation failed: segmenter bug", reason);
        assertEquals(IllegalStateException.class.getName(), DeadLetters.header(dead.headers(), DeadLetters.EXCEPTION));
      }
    }
  }

  /** A model instance that runs out of memory on batches of more than one image. */
  private static final class SmallMemoryBackend implements BatchBackend {
    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger outOfMemory = new AtomicInteger();
    final AtomicReference<DynamicBatcher> batcher = new AtomicReference<>();
    private final Segmenter brightness = TestSegmenters.brightness();
    private volatile boolean held;

    @Override
    public List<Segmentation> runBatch(List<RgbImage> images) throws SegmentationException {
      batchSizes.add(images.size());
      if (!held) {
        // Hold the only instance until the other stream threads' frames are in this batch or queued
        // behind it, so a batch of several forms.
        held = true;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (images.size() + batcher.get().pending() < 3 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
      if (images.size() > 1) {
        outOfMemory.incrementAndGet();
        throw new InferenceOutOfMemoryException("OOM when allocating tensor of shape [" + images.size() + ",16,16,3]", null);
      }
      return brightness.segmentAll(images);
    }
  }

  @Test
  void aBatchThatRunsOutOfMemoryIsSplitAndEveryFrameStillSegmented() throws Exception {
    SmallMemoryBackend backend = new SmallMemoryBackend();
    DynamicBatcher batcher = new DynamicBatcher(TestSegmenters.BRIGHTNESS_MODEL,
        new ModelInstancePool(List.of(new ModelInstance("small-gpu", "gpu:0", backend))),
        new BatcherSettings(8, Duration.ofMillis(20), 64, Duration.ofSeconds(30)),
        InferenceMetrics.unexported());
    backend.batcher.set(batcher);
    Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers(), GUARANTEE);
    // Four stream threads, one partition each, call the batcher at once.
    settings.put(SegstreamConfig.TOPIC_PARTITIONS, 4);
    settings.put("num.stream.threads", 4);
    SegstreamConfig config = new SegstreamConfig(settings);
    int frames = 40;
    try (batcher; SegstreamApp app = new SegstreamApp(config, RetryingSegmenter.fromConfig(batcher, config))) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
      send(settings, config, frames, id -> image(Behaviour.GOOD, id), id -> id % 4);
      Harness.awaitDrained(settings);
      assertEquals(KafkaStreams.State.RUNNING, app.streams().state());
    }
    Harness.Tally tally = Harness.Tally.of("batch out of memory, split and retried", GUARANTEE, frames,
        Harness.client(settings), config).report();
    System.out.println("batch sizes run: " + backend.batchSizes + "; out of memory " + backend.outOfMemory);
    assertEquals(List.of(), tally.lost());
    assertEquals(frames, tally.total(tally.masks()));
    assertEquals(0, tally.total(tally.deadLetters()));
    assertTrue(backend.outOfMemory.get() >= 1, "no batch ran out of memory: " + backend.batchSizes);
  }

  private interface IdFunction<T> {
    T apply(int id);
  }

  private static void send(Map<String, Object> settings, SegstreamConfig config, int frames,
      IdFunction<RgbImage> images, IdFunction<Integer> partitions) throws Exception {
    String topic = config.getString(SegstreamConfig.TOPIC_FRAMES);
    try (KafkaProducer<byte[], byte[]> producer = Harness.producer(Harness.client(settings))) {
      for (int id = 0; id < frames; id++) {
        String stream = "cam-" + (id % 4);
        ImageFrame frame = new FrameEncoder(ImageEncoding.RAW_RGB8)
            .frame(stream, id, Instant.ofEpochMilli(1_750_000_000_000L + id), images.apply(id), Map.of());
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, partitions.apply(id),
            stream.getBytes(StandardCharsets.UTF_8), Harness.frameBytes(config, frame));
        record.headers().add(Harness.ID, Integer.toString(id).getBytes(StandardCharsets.UTF_8));
        producer.send(record);
      }
    }
  }
}
