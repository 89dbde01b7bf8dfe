package io.segstream.model;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A one-line training progress bar: step, smoothed loss, speed and time left. On a terminal it redraws
 * in place with carriage returns a few times per second; otherwise (a log file) it prints a plain line
 * every ten seconds.
 */
public final class ProgressBar implements TrainingListener {

  private static final int BAR_WIDTH = 24;
  private static final long REDRAW_NANOS = 250_000_000L;
  private static final long LOG_LINE_NANOS = 10_000_000_000L;

  private final PrintStream out;
  private final boolean interactive;
  private final long startNanos = System.nanoTime();
  private int firstStep = -1;
  private long lastDraw;
  private double smoothedLoss = Double.NaN;
  private int lastLength;

  /** @param interactive redraw in place (a terminal) rather than print lines (a log) */
  public ProgressBar(PrintStream out, boolean interactive) {
    this.out = out;
    this.interactive = interactive;
  }

  @Override
  public void onStep(int step, int totalSteps, float loss) {
    if (firstStep < 0) {
      firstStep = step - 1;
    }
    smoothedLoss = Double.isNaN(smoothedLoss) ? loss : 0.95 * smoothedLoss + 0.05 * loss;
    long now = System.nanoTime();
    boolean last = step >= totalSteps;
    if (!last && now - lastDraw < (interactive ? REDRAW_NANOS : LOG_LINE_NANOS)) {
      return;
    }
    lastDraw = now;
    double seconds = (now - startNanos) / 1e9;
    double stepsPerSecond = (step - firstStep) / Math.max(seconds, 1e-9);
    long etaSeconds = Math.round((totalSteps - step) / Math.max(stepsPerSecond, 1e-9));
    int filled = (int) ((long) BAR_WIDTH * step / totalSteps);
    String line = String.format("[%s%s] step %d/%d  loss %.4f  %.1f step/s  elapsed %s  ETA %s",
        "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), step, totalSteps, smoothedLoss,
        stepsPerSecond, format(Math.round(seconds)), format(etaSeconds));
    if (interactive) {
      out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
      lastLength = line.length();
      if (last) {
        out.println();
      }
    } else {
      out.println(line);
    }
    out.flush();
  }

  @Override
  public void onCheckpoint(int step) {
    if (interactive) {
      out.print("\r" + " ".repeat(lastLength) + "\r");
      lastLength = 0;
      lastDraw = 0;
    }
    out.println("checkpoint saved at step " + step);
  }

  private static String format(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}
