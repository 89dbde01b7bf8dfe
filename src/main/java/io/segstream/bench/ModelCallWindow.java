package io.segstream.bench;

import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The segmenter under test, with a clock on the frames handed to it: after {@link #measureFrom} it
 * notes when the first measured frame was handed over and when each measured frame's result came
 * back. Every measured frame's model call then starts and finishes inside the window from that
 * hand-off to the last result, so a device that runs one batch at a time needs at least the sum of
 * those calls' times for it: frames per second over the window cannot exceed what the device can do.
 * Mask arrivals at a consumer have no such bound: the pipelined stage releases masks in per-partition
 * bursts, and a burst computed before a count starts can land after it.
 *
 * @param <M> what {@code atStart} records when the window opens (CPU time, meter totals, ...)
 */
final class ModelCallWindow<M> implements Segmenter {

  /** The measured frames that came back, from the first hand-off to the last result (System.nanoTime). */
  record Window<M>(M start, long startNanos, long endNanos, int frames) {

    double framesPerSecond() {
      return frames > 0 && endNanos > startNanos ? frames * 1e9 / (endNanos - startNanos) : Double.NaN;
    }
  }

  private final Segmenter delegate;
  private final Supplier<M> atStart;
  private final AtomicLong handedOver = new AtomicLong();
  /** The hand-off number of the first measured frame; none is measured before {@link #measureFrom}. */
  private volatile long firstMeasured = Long.MAX_VALUE;
  private M start;
  private long startNanos;
  private long endNanos;
  private int completed;

  ModelCallWindow(Segmenter delegate, Supplier<M> atStart) {
    this.delegate = delegate;
    this.atStart = atStart;
  }

  /** Measures the frames handed over after the next {@code skipped} ones. */
  synchronized void measureFrom(long skipped) {
    start = null;
    completed = 0;
    firstMeasured = handedOver.get() + skipped;
  }

  /** The measured frames so far; null when none was handed over yet. */
  synchronized Window<M> window() {
    return start == null ? null : new Window<>(start, startNanos, endNanos, completed);
  }

  @Override
  public ModelInfo modelInfo() {
    return delegate.modelInfo();
  }

  @Override
  public Segmentation segment(RgbImage image) throws SegmentationException {
    boolean measured = handOver();
    Segmentation result = delegate.segment(image);
    if (measured) {
      completed();
    }
    return result;
  }

  @Override
  public CompletableFuture<Segmentation> segmentAsync(RgbImage image) {
    boolean measured = handOver();
    CompletableFuture<Segmentation> result = delegate.segmentAsync(image);
    // whenComplete: the caller sees the result only after it was noted.
    return measured ? result.whenComplete((segmentation, failure) -> {
      if (failure == null) {
        completed();
      }
    }) : result;
  }

  /** Counts a hand-off; whether it is measured. The window opens before the first measured call starts. */
  private boolean handOver() {
    if (handedOver.getAndIncrement() < firstMeasured) {
      return false;
    }
    synchronized (this) {
      if (start == null) {
        startNanos = System.nanoTime();
        start = atStart.get();
      }
    }
    return true;
  }

  private synchronized void completed() {
    completed++;
    endNanos = System.nanoTime();
  }
}
