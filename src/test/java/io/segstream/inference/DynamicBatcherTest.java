package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.image.RgbImage;
import io.segstream.ops.InferenceMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {

  private static final ModelInfo INFO = new ModelInfo("fake", "1", List.of("only"));
  private static final Duration LONG = Duration.ofSeconds(30);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private DynamicBatcher batcher;

  @AfterEach
  void tearDown() {
    callers.shutdownNow();
    if (batcher != null) {
      batcher.close();
    }
  }

  private DynamicBatcher start(BatcherSettings settings, FakeBackend... backends) {
    List<ModelInstance> instances = new ArrayList<>();
    for (int i = 0; i < backends.length; i++) {
      instances.add(new ModelInstance("cpu#" + i, "cpu", backends[i]));
    }
    batcher = new DynamicBatcher(INFO, new ModelInstancePool(instances), settings,
        new InferenceMetrics(registry, INFO.name(), INFO.version()));
    return batcher;
  }

  /** One instance per backend, on the named devices in turn. */
  private DynamicBatcher startOn(BatcherSettings settings, List<String> devices, FakeBackend... backends) {
    List<ModelInstance> instances = new ArrayList<>();
    for (int i = 0; i < backends.length; i++) {
      instances.add(new ModelInstance("instance#" + i, devices.get(i), backends[i]));
    }
    batcher = new DynamicBatcher(INFO, new ModelInstancePool(instances), settings,
        new InferenceMetrics(registry, INFO.name(), INFO.version()));
    return batcher;
  }

  /** Batches that may also go when their device is idle, with a delay longer than any test runs. */
  private static BatcherSettings sentWhenDeviceIdle(int maxBatch) {
    return new BatcherSettings(maxBatch, Duration.ofMinutes(10), 64, LONG, null, true);
  }

  private static BatcherSettings settings(int maxBatch, Duration delay, int capacity, Duration timeout) {
    return new BatcherSettings(maxBatch, delay, capacity, timeout);
  }

  private static void waitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(2);
    }
  }

  private double counter(String name, String... tags) {
    return registry.get(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  @Test
  void concurrentCallersAreCoalescedWhileTheInstanceIsBusy() throws Exception {
    FakeBackend backend = new FakeBackend().closeGate();
    start(settings(8, Duration.ZERO, 64, LONG), backend);

    List<Future<Segmentation>> results = new ArrayList<>();
    results.add(callers.submit(() -> batcher.segment(FakeBackend.image(0, 16, 16))));
    waitUntil(() -> backend.batchSizes.size() == 1, "the first image is running");
    for (int id = 1; id < 16; id++) {
      int imageId = id;
      results.add(callers.submit(() -> batcher.segment(FakeBackend.image(imageId, 16, 16))));
    }
    waitUntil(() -> batcher.pending() == 15, "15 callers wait");
    backend.open();

    for (int id = 0; id < 16; id++) {
      assertEquals(id, FakeBackend.idOf(results.get(id).get(20, TimeUnit.SECONDS)));
    }
    assertEquals(List.of(1, 8, 7), backend.batchSizes);
    assertEquals(16, counter(InferenceMetrics.REQUESTS, "outcome", "success"));
    assertEquals(3, counter(InferenceMetrics.EXECUTIONS));
    assertEquals(16, registry.get(InferenceMetrics.QUEUE_TIME).timer().count());
    assertEquals(0, registry.get(InferenceMetrics.PENDING).gauge().value());
  }

  @Test
  void framesOfAnySizeShareABatchWhenTheModelFitsThemToItsInputSize() throws Exception {
    FakeBackend backend = new FakeBackend();
    // Only a full batch of 3 can go: with per-frame sizes these three would never fill one.
    start(new BatcherSettings(3, Duration.ofMinutes(10), 64, LONG, new ImageSize(256, 144)), backend);

    List<CompletableFuture<Segmentation>> results = List.of(
        batcher.segmentAsync(FakeBackend.image(0, 8, 8)),
        batcher.segmentAsync(FakeBackend.image(1, 16, 8)),
        batcher.segmentAsync(FakeBackend.image(2, 8, 8)));

    for (int id = 0; id < 3; id++) {
      assertEquals(id, FakeBackend.idOf(results.get(id).get(20, TimeUnit.SECONDS)));
    }
    assertEquals(List.of(3), backend.batchSizes);
  }

  @Test
  void aLoneImageIsFlushedAfterTheQueueDelay() throws SegmentationException {
    FakeBackend backend = new FakeBackend();
    Duration delay = Duration.ofMillis(100);
    start(settings(8, delay, 64, LONG), backend);

    long submitted = System.nanoTime();
    Segmentation result = batcher.segment(FakeBackend.image(42, 8, 8));

    assertEquals(42, FakeBackend.idOf(result));
    assertEquals(List.of(1), backend.batchSizes);
    // The instance was free all along, yet the image waited the delay for company before going alone
    // (and not much longer: far less than the request timeout, even on a loaded machine).
    Duration waited = Duration.ofNanos(backend.batchStartNanos.get(0) - submitted);
    assertTrue(waited.compareTo(delay) >= 0, "flushed after " + waited.toMillis() + " ms, before the delay");
    assertTrue(waited.compareTo(delay.plusSeconds(10)) < 0, "flushed only after " + waited.toMillis() + " ms");
  }

  @Test
  void withDispatchWhenDeviceIdleALoneImageGoesAtOnce() throws Exception {
    FakeBackend backend = new FakeBackend();
    start(sentWhenDeviceIdle(8), backend);

    // Under Triton's rule this image would wait the ten minutes' delay for company.
    assertEquals(42, FakeBackend.idOf(batcher.segmentAsync(FakeBackend.image(42, 8, 8)).get(20, TimeUnit.SECONDS)));
    assertEquals(List.of(1), backend.batchSizes);
  }

  /**
   * Two instances on {@code devices}, dispatching when a device is idle with batches of at most 4; the
   * first runs image 0 and holds it until its gate opens. Returns image 0's result.
   */
  private CompletableFuture<Segmentation> firstInstanceBusy(FakeBackend first, FakeBackend second, String... devices)
      throws InterruptedException {
    startOn(sentWhenDeviceIdle(4), List.of(devices), first.closeGate(), second);
    CompletableFuture<Segmentation> held = batcher.segmentAsync(FakeBackend.image(0, 8, 8));
    waitUntil(() -> first.batchSizes.size() == 1, "image 0 runs on the first instance");
    return held;
  }

  @Test
  void aFreeInstanceBesideABusyOneOnItsDeviceWaitsForAFullBatch() throws Exception {
    FakeBackend first = new FakeBackend();
    FakeBackend second = new FakeBackend();
    CompletableFuture<Segmentation> alone = firstInstanceBusy(first, second, "gpu:0", "gpu:0");

    List<CompletableFuture<Segmentation>> next = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      next.add(batcher.segmentAsync(FakeBackend.image(id, 8, 8)));
    }
    // The second instance is free, but its device is busy: the three wait for company.
    Thread.sleep(300);
    assertEquals(3, batcher.pending());
    assertTrue(second.batchSizes.isEmpty(), second.batchSizes.toString());
    next.add(batcher.segmentAsync(FakeBackend.image(4, 8, 8)));
    waitUntil(() -> second.batchSizes.size() == 1, "the full batch goes to the second instance");
    first.open();

    assertEquals(0, FakeBackend.idOf(alone.get(20, TimeUnit.SECONDS)));
    for (int id = 1; id <= 4; id++) {
      assertEquals(id, FakeBackend.idOf(next.get(id - 1).get(20, TimeUnit.SECONDS)));
    }
    assertEquals(List.of(4), second.batchSizes);
  }

  @Test
  void anIdleDeviceTakesABatchWhileAnotherDeviceIsBusy() throws Exception {
    FakeBackend first = new FakeBackend();
    FakeBackend second = new FakeBackend();
    CompletableFuture<Segmentation> blocked = firstInstanceBusy(first, second, "gpu:0", "gpu:1");

    // gpu:1 runs nothing, so the next image goes there at once, alone.
    assertEquals(1, FakeBackend.idOf(batcher.segmentAsync(FakeBackend.image(1, 8, 8)).get(20, TimeUnit.SECONDS)));
    assertEquals(List.of(1), second.batchSizes);
    first.open();
    assertEquals(0, FakeBackend.idOf(blocked.get(20, TimeUnit.SECONDS)));
  }

  @Test
  void aFullBatchGoesWithoutWaitingForTheDelay() throws Exception {
    FakeBackend backend = new FakeBackend();
    // A delay longer than the test may run: only a full batch can be dispatched.
    start(settings(4, Duration.ofMinutes(10), 64, LONG), backend);

    List<CompletableFuture<Segmentation>> results = new ArrayList<>();
    for (int id = 0; id < 4; id++) {
      results.add(batcher.segmentAsync(FakeBackend.image(id, 8, 8)));
    }

    for (int id = 0; id < 4; id++) {
      assertEquals(id, FakeBackend.idOf(results.get(id).get(20, TimeUnit.SECONDS)));
    }
    assertEquals(List.of(4), backend.batchSizes);
  }

  @Test
  void imagesOfDifferentSizesNeverShareABatch() throws Exception {
    FakeBackend backend = new FakeBackend().closeGate();
    start(settings(8, Duration.ZERO, 64, LONG), backend);

    List<CompletableFuture<Segmentation>> results = new ArrayList<>();
    results.add(batcher.segmentAsync(FakeBackend.image(0, 10, 10)));
    waitUntil(() -> backend.batchSizes.size() == 1, "the first batch is running");
    for (int id = 1; id <= 12; id++) {
      results.add(batcher.segmentAsync(id % 2 == 0 ? FakeBackend.image(id, 10, 10) : FakeBackend.image(id, 12, 8)));
    }
    backend.open();

    for (int id = 0; id <= 12; id++) {
      assertEquals(id, FakeBackend.idOf(results.get(id).get(20, TimeUnit.SECONDS)));
    }
    for (List<ImageSize> shapes : backend.batchShapes) {
      assertEquals(1, shapes.stream().distinct().count(), "one size per batch: " + shapes);
    }
    // 1 running, then the six of each size as one batch apiece.
    assertEquals(List.of(1, 6, 6), backend.batchSizes);
  }

  @Test
  void aPoisonedImageFailsAloneAndTheOthersSucceed() throws Exception {
    FakeBackend backend = new FakeBackend().poison(3);
    start(settings(5, Duration.ofMinutes(10), 64, LONG), backend);

    List<CompletableFuture<Segmentation>> results = new ArrayList<>();
    for (int id = 1; id <= 5; id++) {
      results.add(batcher.segmentAsync(FakeBackend.image(id, 8, 8)));
    }

    for (int id = 1; id <= 5; id++) {
      CompletableFuture<Segmentation> result = results.get(id - 1);
      if (id == 3) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(20, TimeUnit.SECONDS));
        assertInstanceOf(SegmentationException.class, e.getCause());
        assertEquals("poisoned image 3", e.getCause().getMessage());
      } else {
        assertEquals(id, FakeBackend.idOf(result.get(20, TimeUnit.SECONDS)));
      }
    }
    assertEquals(List.of(5, 1, 1, 1, 1, 1), backend.batchSizes);
    assertEquals(4, counter(InferenceMetrics.REQUESTS, "outcome", "success"));
    assertEquals(1, counter(InferenceMetrics.REQUESTS, "outcome", "failure"));
  }

  @Test
  void aCallerGetsItsOwnFailureAsASegmentationException() {
    start(settings(1, Duration.ZERO, 64, LONG), new FakeBackend().poison(7));

    SegmentationException e =
        assertThrows(SegmentationException.class, () -> batcher.segment(FakeBackend.image(7, 8, 8)));

    assertEquals("poisoned image 7", e.getMessage());
  }

  @Test
  void aBatchThatRunsOutOfMemoryIsSplitInHalves() throws Exception {
    FakeBackend backend = new FakeBackend().outOfMemoryAbove(2);
    start(settings(8, Duration.ofMinutes(10), 64, LONG), backend);

    List<CompletableFuture<Segmentation>> results = new ArrayList<>();
    for (int id = 0; id < 8; id++) {
      results.add(batcher.segmentAsync(FakeBackend.image(id, 8, 8)));
    }

    for (int id = 0; id < 8; id++) {
      assertEquals(id, FakeBackend.idOf(results.get(id).get(20, TimeUnit.SECONDS)));
    }
    assertEquals(List.of(8, 4, 2, 2, 4, 2, 2), backend.batchSizes);
  }

  @Test
  void anImageThatRunsOutOfMemoryAloneFails() {
    start(settings(1, Duration.ZERO, 64, LONG), new FakeBackend().outOfMemoryAbove(0));

    assertThrows(InferenceOutOfMemoryException.class, () -> batcher.segment(FakeBackend.image(1, 8, 8)));
  }

  @Test
  void callersBlockWhileTheQueueIsFull() throws Exception {
    FakeBackend backend = new FakeBackend().closeGate();
    start(settings(1, Duration.ZERO, 2, LONG), backend);
    CompletableFuture<Segmentation> running = batcher.segmentAsync(FakeBackend.image(0, 8, 8));
    waitUntil(() -> backend.batchSizes.size() == 1, "the first image is running");
    batcher.segmentAsync(FakeBackend.image(1, 8, 8));
    batcher.segmentAsync(FakeBackend.image(2, 8, 8));
    assertEquals(2, batcher.pending());

    // Handed from the caller thread to this one.
    AtomicReference<Thread> blocked = new AtomicReference<>();
    Future<Segmentation> third = callers.submit(() -> {
      blocked.set(Thread.currentThread());
      return batcher.segment(FakeBackend.image(3, 8, 8));
    });
    waitUntil(() -> blocked.get() != null && blocked.get().getState() == Thread.State.TIMED_WAITING,
        "the third caller blocks");
    assertFalse(third.isDone());
    assertEquals(2, batcher.pending());

    backend.open();
    assertEquals(3, FakeBackend.idOf(third.get(20, TimeUnit.SECONDS)));
    assertEquals(0, FakeBackend.idOf(running.get(20, TimeUnit.SECONDS)));
  }

  @Test
  void aCallerGivesUpWhenTheQueueStaysFull() throws Exception {
    FakeBackend backend = new FakeBackend().closeGate();
    start(settings(1, Duration.ZERO, 1, Duration.ofMillis(200)), backend);
    batcher.segmentAsync(FakeBackend.image(0, 8, 8));
    waitUntil(() -> backend.batchSizes.size() == 1, "the first image is running");
    batcher.segmentAsync(FakeBackend.image(1, 8, 8));

    SegmentationException e =
        assertThrows(SegmentationException.class, () -> batcher.segment(FakeBackend.image(2, 8, 8)));

    assertTrue(e.getMessage().startsWith("inference queue full (1 images)"), e.getMessage());
    assertEquals(1, counter(InferenceMetrics.REJECTED));
    backend.open();
  }

  @Test
  void aCallerGivesUpWhenNoResultComesInTime() {
    FakeBackend backend = new FakeBackend().closeGate();
    start(settings(1, Duration.ZERO, 8, Duration.ofMillis(200)), backend);

    SegmentationException e =
        assertThrows(SegmentationException.class, () -> batcher.segment(FakeBackend.image(0, 8, 8)));

    assertEquals("no inference result within 200 ms", e.getMessage());
    backend.open();
  }

  @Test
  void everyCallerThreadGetsItsOwnResultsInOrder() throws Exception {
    FakeBackend first = new FakeBackend();
    FakeBackend second = new FakeBackend();
    start(settings(4, Duration.ofMillis(1), 64, LONG), first, second);

    List<Future<List<Integer>>> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      threads.add(callers.submit(() -> {
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
          int id = thread * 100 + i;
          seen.add(FakeBackend.idOf(batcher.segment(FakeBackend.image(id, 8 + i % 2, 8))));
        }
        return seen;
      }));
    }
    for (int t = 0; t < 8; t++) {
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        expected.add(t * 100 + i);
      }
      assertEquals(expected, threads.get(t).get(30, TimeUnit.SECONDS));
    }
    // What batching guarantees whatever the timing: every image ran exactly once, in a batch of at
    // most max.batch.size (4) images of one size.
    List<Integer> ran = Stream.of(first, second).flatMap(backend -> backend.batchIds.stream())
        .flatMap(List::stream).sorted().toList();
    assertEquals(IntStream.range(0, 8).boxed().flatMap(t -> IntStream.range(0, 25).mapToObj(i -> t * 100 + i))
        .toList(), ran, "images run");
    Stream.of(first, second).flatMap(backend -> backend.batchShapes.stream()).forEach(shapes -> {
      assertTrue(shapes.size() <= 4, "a batch of " + shapes.size());
      assertEquals(1, shapes.stream().distinct().count(), "one size per batch: " + shapes);
    });
  }

  @Test
  void segmentAllReturnsResultsInInputOrder() throws SegmentationException {
    start(settings(4, Duration.ofMillis(1), 64, LONG), new FakeBackend(), new FakeBackend());
    List<RgbImage> images = new ArrayList<>();
    for (int id = 0; id < 40; id++) {
      images.add(FakeBackend.image(id, 6 + id % 3, 6));
    }

    List<Segmentation> results = batcher.segmentAll(images);

    for (int id = 0; id < 40; id++) {
      assertEquals(id, FakeBackend.idOf(results.get(id)));
    }
  }

  @Test
  void closeFailsQueuedImagesRefusesNewOnesAndClosesInstances() throws Exception {
    FakeBackend backend = new FakeBackend().closeGate();
    start(settings(1, Duration.ZERO, 8, LONG), backend);
    CompletableFuture<Segmentation> running = batcher.segmentAsync(FakeBackend.image(0, 8, 8));
    waitUntil(() -> backend.batchSizes.size() == 1, "the first image is running");
    CompletableFuture<Segmentation> queued = batcher.segmentAsync(FakeBackend.image(1, 8, 8));

    Future<?> closing = callers.submit(batcher::close);
    ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(20, TimeUnit.SECONDS));
    assertEquals("segmenter closed before inference", e.getCause().getMessage());
    backend.open();
    closing.get(20, TimeUnit.SECONDS);

    assertEquals(0, FakeBackend.idOf(running.get(20, TimeUnit.SECONDS)));
    assertTrue(backend.closed);
    assertThrows(SegmentationException.class, () -> batcher.segment(FakeBackend.image(2, 8, 8)));
  }

  @Test
  void anAsyncCallerGetsATimeoutAndItsImageLeavesTheQueue() throws Exception {
    FakeBackend backend = new FakeBackend().closeGate();
    start(settings(1, Duration.ZERO, 8, Duration.ofMillis(200)), backend);
    CompletableFuture<Segmentation> running = batcher.segmentAsync(FakeBackend.image(0, 8, 8));
    waitUntil(() -> backend.batchSizes.size() == 1, "the first image is running");
    CompletableFuture<Segmentation> queued = batcher.segmentAsync(FakeBackend.image(1, 8, 8));

    ExecutionException e = assertThrows(ExecutionException.class, () -> queued.get(20, TimeUnit.SECONDS));
    assertEquals("no inference result within 200 ms", e.getCause().getMessage());
    assertTrue(e.getCause() instanceof SegmentationException);
    backend.open();
    assertThrows(ExecutionException.class, () -> running.get(20, TimeUnit.SECONDS));
    waitUntil(() -> batcher.pending() == 0, "the timed-out image left the queue");
    assertEquals(1, backend.batchSizes.size(), "the timed-out image never ran");
  }
}
