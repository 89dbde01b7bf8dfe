package io.segstream.inference;

import io.segstream.config.SegstreamConfig;
import io.segstream.image.RgbImage;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a failed inference a bounded number of times with exponential backoff, so a transient model
 * error (a timeout, a device out of memory while other work held it) costs the frame a short delay
 * instead of a dead letter. After the last attempt the failure goes to the caller, naming how many
 * attempts were made. Runtime exceptions are bugs, not transient failures, and are never retried.
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
      Duration wait = backoff.multipliedBy(1L << (attempts - 1));
      LOG.warn("inference failed ({}); retry {} of {} in {} ms", failure.getMessage(), attempts, retries, wait.toMillis());
      if (!sleep(wait)) {
        break;
      }
    }
    if (attempts == 1) {
      throw failure;
    }
    throw new SegmentationException(failure.getMessage() + " (gave up after " + attempts + " attempts)", failure);
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
