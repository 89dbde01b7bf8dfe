package io.segstream.ops;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most {@code perWindow} log lines per window; the rest are counted, so a flood of bad input
 * cannot flood the log (every dead letter is still in its topic and in the frame metrics).
 */
public final class LogBudget {

  private final int perWindow;
  private final long windowNanos;
  private final LongSupplier clock;
  private final AtomicLong windowStart;
  private final AtomicLong usedInWindow = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  public LogBudget(int perWindow, long windowMillis) {
    this(perWindow, windowMillis, System::nanoTime);
  }

  LogBudget(int perWindow, long windowMillis, LongSupplier clock) {
    this.perWindow = perWindow;
    this.windowNanos = windowMillis * 1_000_000L;
    this.clock = clock;
    this.windowStart = new AtomicLong(clock.getAsLong());
  }

  /**
   * Whether a line may be logged now. When a new window opens, returns how many lines were
   * suppressed in the previous ones via {@link #takeSuppressed()}.
   */
  public boolean tryAcquire() {
    long now = clock.getAsLong();
    long start = windowStart.get();
    if (now - start >= windowNanos && windowStart.compareAndSet(start, now)) {
      usedInWindow.set(0);
    }
    if (usedInWindow.incrementAndGet() <= perWindow) {
      return true;
    }
    suppressed.incrementAndGet();
    return false;
  }

  /** Lines suppressed since the last call (reset to zero). */
  public long takeSuppressed() {
    return suppressed.getAndSet(0);
  }
}
