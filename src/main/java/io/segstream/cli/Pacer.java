package io.segstream.cli;

/** Holds a frame rate, as a live camera would: {@link #await} sleeps until the next frame is due. */
final class Pacer {

  private final long intervalNanos;
  private long nextNanos;

  /** {@code fps}: frames per second; 0 or less: no pacing. */
  Pacer(double fps) {
    this.intervalNanos = fps > 0 ? (long) (1e9 / fps) : 0;
  }

  /** Sleeps as needed so that calls are at least 1/fps apart on average (the first one returns at once). */
  void await() {
    if (intervalNanos == 0) {
      return;
    }
    long now = System.nanoTime();
    if (nextNanos == 0) {
      nextNanos = now;
    }
    long wait = nextNanos - now;
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    nextNanos += intervalNanos;
  }
}
