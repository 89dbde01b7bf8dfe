package io.segstream.ops;

import java.io.PrintStream;

/** A one-line progress bar with a rate, redrawn in place at most ten times a second. */
public final class Progress {

  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private long total;
  private final String unit;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;

  public Progress(PrintStream out, long total, String unit) {
    this.out = out;
    this.total = total;
    this.unit = unit;
  }

  public void update(long done) {
    long now = System.nanoTime();
    if (now - lastDrawNanos < REDRAW_NANOS && done < total) {
      return;
    }
    lastDrawNanos = now;
    int filled = total <= 0 ? 0 : (int) Math.min(WIDTH, done * WIDTH / total);
    double seconds = (now - startNanos) / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    out.printf("\r[%s%s] %d/%d %s  %.1f %s/s ", "#".repeat(filled), ".".repeat(WIDTH - filled),
        done, total, unit, rate, unit);
    out.flush();
  }

  /** Corrects the total once it is known (a video's frame count shows only at its end). */
  public void total(long total) {
    this.total = total;
  }

  public void finish(long done) {
    lastDrawNanos = 0;
    update(done);
    out.println();
  }
}
