package io.segstream.model;

import java.io.PrintStream;
import java.time.Duration;

/**
 * A one-line training progress bar: step, smoothed loss, speed and time left. Redraws in place with
 * carriage returns at most a few times per second, and ends with a newline.
 */
public final class ProgressBar implements TrainingListener {

  private static final int BAR_WIDTH = 24;
  private static final long REDRAW_NANOS = 250_000_000L;

  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private int firstStep = -1;
  private long lastDraw;
  private double smoothedLoss = Double.NaN;
  private int lastLength;

  public ProgressBar(PrintStream out) {
    this.out = out;
  }

  @Override
  public void onStep(int step, int totalSteps, float loss) {
    if (firstStep < 0) {
      firstStep = step - 1;
    }
    smoothedLoss = Double.isNaN(smoothedLoss) ? loss : 0.95 * smoothedLoss + 0.05 * loss;
    long now = System.nanoTime();
    boolean last = step >= totalSteps;
    if (!last && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    double seconds = (now - startNanos) / 1e9;
    double stepsPerSecond = (step - firstStep) / Math.max(seconds, 1e-9);
    long etaSeconds = Math.round((totalSteps - step) / Math.max(stepsPerSecond, 1e-9));
    int filled = (int) ((long) BAR_WIDTH * step / totalSteps);
    String line = String.format("\r[%s%s] step %d/%d  loss %.4f  %.1f step/s  elapsed %s  ETA %s",
        "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), step, totalSteps, smoothedLoss,
        stepsPerSecond, format(Math.round(seconds)), format(etaSeconds));
    out.print(line + " ".repeat(Math.max(0, lastLength - line.length())));
    lastLength = line.length();
    if (last) {
      out.println();
    }
    out.flush();
  }

  @Override
  public void onCheckpoint(int step) {
    out.print("\r" + " ".repeat(lastLength) + "\rcheckpoint saved at step " + step + "\n");
    lastLength = 0;
    lastDraw = 0;
  }

  private static String format(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}
