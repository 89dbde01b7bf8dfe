package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.image.RgbImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class RetryingSegmenterTest {

  private static final ModelInfo MODEL = new ModelInfo("m", "1", List.of("a", "b"));
  private static final RgbImage IMAGE = new RgbImage(2, 1, new byte[6]);
  private static final Segmentation RESULT = new Segmentation(2, 1, new byte[2], new float[2], 1);

  /** Fails its first {@code failures} calls with {@code failure}, then answers; records call times. */
  private static final class Flaky implements Segmenter {
    final AtomicInteger calls = new AtomicInteger();
    final List<Long> callNanos = new ArrayList<>();
    final int failures;
    final Supplier<Exception> failure;

    Flaky(int failures, Supplier<Exception> failure) {
      this.failures = failures;
      this.failure = failure;
    }

    @Override
    public ModelInfo modelInfo() {
      return MODEL;
    }

    @Override
    public Segmentation segment(RgbImage image) throws SegmentationException {
      callNanos.add(System.nanoTime());
      if (calls.incrementAndGet() <= failures) {
        Exception e = failure.get();
        if (e instanceof SegmentationException s) {
          throw s;
        }
        throw (RuntimeException) e;
      }
      return RESULT;
    }
  }

  @Test
  void aTransientFailureCostsARetryNotTheFrame() throws Exception {
    Flaky flaky = new Flaky(2, () -> new SegmentationException("device busy"));
    Segmenter segmenter = new RetryingSegmenter(flaky, 2, Duration.ofMillis(20));

    assertSame(RESULT, segmenter.segment(IMAGE));
    assertEquals(3, flaky.calls.get());
    // Exponential backoff: 20 ms, then 40 ms.
    assertTrue(flaky.callNanos.get(1) - flaky.callNanos.get(0) >= Duration.ofMillis(20).toNanos());
    assertTrue(flaky.callNanos.get(2) - flaky.callNanos.get(1) >= Duration.ofMillis(40).toNanos());
  }

  @Test
  void aPersistentFailureGivesUpAfterTheBoundAndSaysSo() {
    Flaky flaky = new Flaky(Integer.MAX_VALUE, () -> new InferenceOutOfMemoryException("OOM when allocating", null));
    Segmenter segmenter = new RetryingSegmenter(flaky, 2, Duration.ZERO);

    SegmentationException e = assertThrows(SegmentationException.class, () -> segmenter.segment(IMAGE));
    assertEquals(3, flaky.calls.get());
    assertEquals("OOM when allocating (gave up after 3 attempts)", e.getMessage());
    assertTrue(e.getCause() instanceof InferenceOutOfMemoryException);
    assertEquals(1, e.getCause().getSuppressed().length, "earlier failures are kept");
  }

  @Test
  void bugsAreNotRetried() {
    Flaky flaky = new Flaky(Integer.MAX_VALUE, () -> new IllegalStateException("bug"));
    Segmenter segmenter = new RetryingSegmenter(flaky, 2, Duration.ZERO);

    assertThrows(IllegalStateException.class, () -> segmenter.segment(IMAGE));
    assertEquals(1, flaky.calls.get());
  }

  @Test
  void anInterruptedCallerStopsRetrying() {
    Flaky flaky = new Flaky(Integer.MAX_VALUE, () -> new SegmentationException("interrupted while waiting"));
    Segmenter segmenter = new RetryingSegmenter(flaky, 5, Duration.ofSeconds(10));
    Thread.currentThread().interrupt();
    try {
      SegmentationException e = assertThrows(SegmentationException.class, () -> segmenter.segment(IMAGE));
      assertEquals("interrupted while waiting", e.getMessage());
      assertEquals(1, flaky.calls.get());
    } finally {
      assertTrue(Thread.interrupted(), "the interrupt stays set");
    }
  }

  @Test
  void configuredByModelRetriesAndZeroMeansNoWrapper() {
    Flaky flaky = new Flaky(0, null);
    assertSame(flaky, RetryingSegmenter.fromConfig(flaky, new SegstreamConfig(Map.of(SegstreamConfig.MODEL_RETRIES, 0))));
    assertTrue(RetryingSegmenter.fromConfig(flaky, new SegstreamConfig(Map.of())) instanceof RetryingSegmenter);
  }

  @Test
  void asyncRetriesAfterTheBackoffWithoutBlockingTheCaller() throws Exception {
    Flaky flaky = new Flaky(2, () -> new SegmentationException("device busy"));
    Segmenter segmenter = new RetryingSegmenter(flaky, 2, Duration.ofMillis(100));

    long start = System.nanoTime();
    CompletableFuture<Segmentation> result = segmenter.segmentAsync(IMAGE);
    long returnedAfterMs = (System.nanoTime() - start) / 1_000_000;

    assertTrue(returnedAfterMs < 100, "segmentAsync waited " + returnedAfterMs + " ms for a backoff");
    assertSame(RESULT, result.get(20, TimeUnit.SECONDS));
    assertEquals(3, flaky.calls.get());
    // Backoffs of 100 then 200 ms between the attempts.
    assertTrue(flaky.callNanos.get(1) - flaky.callNanos.get(0) >= 90_000_000L);
    assertTrue(flaky.callNanos.get(2) - flaky.callNanos.get(1) >= 190_000_000L);
  }

  @Test
  void asyncGivesUpAfterTheLastAttemptNamingIt() {
    Flaky flaky = new Flaky(10, () -> new SegmentationException("device lost"));
    Segmenter segmenter = new RetryingSegmenter(flaky, 2, Duration.ofMillis(1));

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> segmenter.segmentAsync(IMAGE).get(20, TimeUnit.SECONDS));

    assertEquals("device lost (gave up after 3 attempts)", e.getCause().getMessage());
    assertEquals(3, flaky.calls.get());
  }

  @Test
  void asyncNeverRetriesABug() {
    Flaky flaky = new Flaky(10, () -> new IllegalStateException("bug"));
    Segmenter segmenter = new RetryingSegmenter(flaky, 2, Duration.ofMillis(1));

    ExecutionException e = assertThrows(ExecutionException.class,
        () -> segmenter.segmentAsync(IMAGE).get(20, TimeUnit.SECONDS));

    assertTrue(e.getCause() instanceof IllegalStateException, e.getCause().toString());
    assertEquals(1, flaky.calls.get());
  }
}
