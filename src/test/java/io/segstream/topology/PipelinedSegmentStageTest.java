package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameEncoder;
import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import io.segstream.model.SyntheticScenes;
import io.segstream.ops.FrameMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pipelined segment stage with a model whose results the test releases one by one, in any order:
 * what leaves, when, and in which order, and where the commit barrier stands meanwhile.
 */
class PipelinedSegmentStageTest {

  private static final int W = 16;
  private static final int H = 12;
  private static final Instant CAPTURED = Instant.ofEpochMilli(1_750_000_000_000L);
  private static final TopicPartition FRAMES_0 = new TopicPartition("frames", 0);

  /** A model whose calls complete only when the test says so (on the test's thread). */
  private static final class HeldModel implements Segmenter {
    private final Segmenter brightness = TestSegmenters.brightness();
    private final List<CompletableFuture<Segmentation>> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<RgbImage> images = Collections.synchronizedList(new ArrayList<>());

    @Override
    public ModelInfo modelInfo() {
      return TestSegmenters.BRIGHTNESS_MODEL;
    }

    @Override
    public Segmentation segment(RgbImage image) {
      throw new UnsupportedOperationException("the stage must not block on the model");
    }

    @Override
    public CompletableFuture<Segmentation> segmentAsync(RgbImage image) {
      CompletableFuture<Segmentation> call = new CompletableFuture<>();
      images.add(image);
      calls.add(call);
      return call;
    }

    void complete(int call) throws SegmentationException {
      calls.get(call).complete(brightness.segment(images.get(call)));
    }

    void fail(int call) {
      calls.get(call).completeExceptionally(new SegmentationException("device lost"));
    }
  }

  private final HeldModel model = new HeldModel();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ExecutorService callers = Executors.newSingleThreadExecutor();
  private TopologyTestDriver driver;
  private SegstreamApp app;
  private TestInputTopic<byte[], byte[]> frames;
  private TestOutputTopic<String, SegmentationMask> masks;
  private TestOutputTopic<byte[], byte[]> deadLetters;
  private AvroSerdes serdes;

  private void start(int window) {
    SegstreamConfig config = new SegstreamConfig(Map.of(SegstreamConfig.MAX_FRAMES_IN_FLIGHT, window));
    // Decode and post-processing run on whichever thread hands them on: the piping thread, or the
    // test's when it completes a model call. Only the model is held.
    app = new SegstreamApp(config, model, new FrameMetrics(registry), Runnable::run);
    driver = new TopologyTestDriver(app.topology(), app.streamsProperties());
    serdes = AvroSerdes.fromConfig(config);
    Topics topics = Topics.fromConfig(config);
    frames = driver.createInputTopic(topics.frames(), new ByteArraySerializer(), new ByteArraySerializer());
    masks = driver.createOutputTopic(topics.masks(), new StringDeserializer(),
        serdes.forValues(SegmentationMask.class).deserializer());
    deadLetters = driver.createOutputTopic(topics.deadLetters(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void close() {
    callers.shutdownNow();
    if (driver != null) {
      driver.close();
    }
  }

  private byte[] frame(String camera, long seq) {
    RgbImage image = new SyntheticScenes().generate(seq, W, H).image();
    ImageFrame frame = new FrameEncoder(ImageEncoding.PNG).frame(camera, seq, CAPTURED, image, Map.of());
    return serdes.forValues(ImageFrame.class).serializer().serialize("frames", frame);
  }

  private byte[] undecodable(String camera, long seq) {
    ImageFrame frame = new FrameEncoder(ImageEncoding.PNG)
        .frame(camera, seq, CAPTURED, new SyntheticScenes().generate(seq, W, H).image(), Map.of());
    frame.setImage(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    return serdes.forValues(ImageFrame.class).serializer().serialize("frames", frame);
  }

  private void pipe(String camera, byte[] value) {
    frames.pipeInput(new TestRecord<>(camera.getBytes(StandardCharsets.UTF_8), value, new RecordHeaders(), CAPTURED));
  }

  /** Lets the wall-clock punctuator run, as an idle stream thread would. */
  private void idle() {
    driver.advanceWallClockTime(SegmentFrameProcessor.FLUSH_INTERVAL.multipliedBy(2));
  }

  private List<String> maskIds() {
    return masks.readValuesToList().stream().map(m -> m.getStreamId() + "#" + m.getFrameSeq()).toList();
  }

  @Test
  void resultsLeaveInInputOrderWhenTheModelCompletesOutOfOrder() throws Exception {
    start(8);
    for (int seq = 0; seq < 6; seq++) {
      pipe("cam-" + (seq % 2), frame("cam-" + (seq % 2), seq));
    }
    List<String> out = new ArrayList<>();
    for (int call : new int[] {5, 3, 4, 1, 2}) {
      model.complete(call);
      idle();
      out.addAll(maskIds());
    }
    assertEquals(List.of(), out, "nothing may pass frame 0, still at the model");
    assertEquals(OptionalLong.of(0), app.framesInFlight().oldest(FRAMES_0));

    model.complete(0);
    idle();
    out.addAll(maskIds());
    assertEquals(List.of("cam-0#0", "cam-1#1", "cam-0#2", "cam-1#3", "cam-0#4", "cam-1#5"), out);
    assertEquals(OptionalLong.empty(), app.framesInFlight().oldest(FRAMES_0));
  }

  @Test
  void deadLettersKeepTheirPlaceInOrder() throws Exception {
    start(8);
    pipe("cam-0", frame("cam-0", 0));                               // offset 0: at the model
    pipe("cam-0", "not a frame".getBytes(StandardCharsets.UTF_8));  // offset 1: rejected by parse
    pipe("cam-0", undecodable("cam-0", 2));                         // offset 2: rejected by decode
    pipe("cam-0", frame("cam-0", 3));                               // offset 3: at the model
    pipe("cam-0", frame("cam-0", 4));                               // offset 4: the model fails
    model.fail(2);
    model.complete(1);
    idle();
    assertTrue(deadLetters.isEmpty(), "dead letters of frames after offset 0 wait for its result");
    assertTrue(masks.isEmpty());
    assertEquals(OptionalLong.of(0), app.framesInFlight().oldest(FRAMES_0));

    model.complete(0);
    idle();
    assertEquals(List.of("cam-0#0", "cam-0#3"), maskIds());
    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertEquals(List.of("1", "2", "4"),
        dead.stream().map(r -> DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET)).toList());
    assertEquals(List.of("parse", "decode", "segment"),
        dead.stream().map(r -> DeadLetters.header(r.headers(), DeadLetters.STAGE)).toList());
  }

  @Test
  void aDeadLetterLeavesAtOnceWhenNothingIsAheadOfIt() {
    start(8);
    pipe("cam-0", "not a frame".getBytes(StandardCharsets.UTF_8));
    assertEquals(1, deadLetters.readRecordsToList().size());
    assertEquals(OptionalLong.empty(), app.framesInFlight().oldest(FRAMES_0));
  }

  @Test
  void aFullWindowBlocksTheStreamThreadUntilTheOldestFrameIsDone() throws Exception {
    start(2);
    pipe("cam-0", frame("cam-0", 0));
    pipe("cam-0", frame("cam-0", 1));
    Thread[] streamThread = new Thread[1];
    Future<?> third = callers.submit(() -> {
      streamThread[0] = Thread.currentThread();
      pipe("cam-0", frame("cam-0", 2));
    });
    awaitWaiting(streamThread);
    assertFalse(third.isDone(), "the third frame waits for room in the window");
    assertEquals(2, registry.get(FrameMetrics.IN_FLIGHT).gauge().value());
    model.complete(1);
    Thread.sleep(200);
    assertFalse(third.isDone(), "completing a younger frame does not open the window");
    assertEquals(2, model.calls.size(), "the third frame was not handed on");

    model.complete(0);
    third.get(20, TimeUnit.SECONDS);
    Timer waits = registry.get(FrameMetrics.WINDOW_WAIT).timer();
    assertEquals(1, waits.count(), "one wait for room in the window");
    assertTrue(waits.totalTime(TimeUnit.MILLISECONDS) >= 200, "it lasted at least the 200 ms above");
    assertEquals(List.of("cam-0#0", "cam-0#1"), maskIds(), "the waiting thread forwarded what completed");
    assertEquals(3, model.calls.size());
    assertEquals(OptionalLong.of(2), app.framesInFlight().oldest(FRAMES_0));
    model.complete(2);
    idle();
    assertEquals(List.of("cam-0#2"), maskIds());
    assertEquals(0, registry.get(FrameMetrics.IN_FLIGHT).gauge().value(), "every frame left the work");
  }

  private static void awaitWaiting(Thread[] thread) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (thread[0] == null || thread[0].getState() != Thread.State.WAITING) {
      assertTrue(System.nanoTime() < deadline, "the stream thread never blocked on the full window");
      Thread.sleep(10);
    }
  }
}
