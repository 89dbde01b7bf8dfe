package io.segstream.inference;

import io.segstream.config.SegstreamConfig;
import io.segstream.image.RgbImage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a failed inference a bounded number of times with exponential backoff, so a transient model
 * error (a timeout, a device out of memory while other work held it) costs the frame a short delay
 * instead of a dead letter. After the last attempt the failure goes to the caller, naming how many
 * attempts were made. Runtime exceptions are bugs, not transient failures, and are never retried.
 * {@link #segmentAsync} retries the same way without blocking anyone: the next attempt is scheduled
 * after the backoff, and the caller's future completes with the first success or the last failure.
 */
public final class RetryingSegmenter implements Segmenter {

  private static final Logger LOG = LoggerFactory.getLogger(RetryingSegmenter.class);

  private final Segmenter delegate;
  private final int retries;
  private final Duration backoff;

  public RetryingSegmenter(Segmenter delegate, int retries, Duration backoff) {
    if (retries < 0 || backoff.isNegative()) {
      throw new IllegalArgumentException("retries and backoff must not be negative");
    }
    this.delegate = delegate;
    this.retries = retries;
    this.backoff = backoff;
  }

  /** {@code segmenter} with {@code model.retries} and {@code model.retry.backoff.ms}. */
  public static Segmenter fromConfig(Segmenter segmenter, SegstreamConfig config) {
    int retries = config.getInt(SegstreamConfig.MODEL_RETRIES);
    return retries == 0
        ? segmenter
        : new RetryingSegmenter(
            segmenter, retries, Duration.ofMillis(config.getLong(SegstreamConfig.MODEL_RETRY_BACKOFF_MS)));
  }

  @Override
  public ModelInfo modelInfo() {
    return delegate.modelInfo();
  }

  @Override
  public Segmentation segment(RgbImage image) throws SegmentationException {
    return withRetries(() -> delegate.segment(image));
  }

  @Override
  public CompletableFuture<Segmentation> segmentAsync(RgbImage image) {
    CompletableFuture<Segmentation> result = new CompletableFuture<>();
    attemptAsync(image, 1, null, result);
    return result;
  }

  /** Runs attempt {@code attempt}; on a model failure schedules the next one after its backoff. */
  private void attemptAsync(RgbImage image, int attempt, SegmentationException previous,
      CompletableFuture<Segmentation> result) {
    delegate.segmentAsync(image).whenComplete((segmentation, error) -> {
      if (error == null) {
        result.complete(segmentation);
        return;
      }
      Throwable cause = SegmentationException.unwrap(error);
      if (!(cause instanceof SegmentationException failure)) {
        result.completeExceptionally(cause);
        return;
      }
      if (previous != null && previous != failure) {
        failure.addSuppressed(previous);
      }
      if (attempt > retries || result.isDone()) {
        result.completeExceptionally(attempt == 1 ? failure : gaveUp(failure, attempt));
        return;
      }
      Duration wait = backoffAfter(attempt);
      LOG.warn("inference failed ({}); retry {} of {} in {} ms", failure.getMessage(), attempt, retries, wait.toMillis());
      CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS)
          .execute(() -> attemptAsync(image, attempt + 1, failure, result));
    });
  }

  private Duration backoffAfter(int failedAttempts) {
    return backoff.multipliedBy(1L << (failedAttempts - 1));
  }

  private static SegmentationException gaveUp(SegmentationException last, int attempts) {
    return new SegmentationException(last.getMessage() + " (gave up after " + attempts + " attempts)", last);
  }

  @Override
  public List<Segmentation> segmentAll(List<RgbImage> images) throws SegmentationException {
    return withRetries(() -> delegate.segmentAll(images));
  }

  private interface Attempt<T> {
    T run() throws SegmentationException;
  }

  private <T> T withRetries(Attempt<T> attempt) throws SegmentationException {
    SegmentationException failure = null;
    int attempts = 0;
    while (true) {
      attempts++;
      try {
        return attempt.run();
      } catch (SegmentationException e) {
        if (failure != null && failure != e) {
          e.addSuppressed(failure);
        }
        failure = e;
      }
      if (attempts > retries || Thread.currentThread().isInterrupted()) {
        break;
      }
      Duration wait = backoffAfter(attempts);
      LOG.warn("inference failed ({}); retry {} of {} in {} ms", failure.getMessage(), attempts, retries, wait.toMillis());
      if (!sleep(wait)) {
        break;
      }
    }
    if (attempts == 1) {
      throw failure;
    }
    throw gaveUp(failure, attempts);
  }

  /** Sleeps; false when interrupted (the interrupt stays set for the caller). */
  private static boolean sleep(Duration wait) {
    try {
      Thread.sleep(wait.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
