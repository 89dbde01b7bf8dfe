package io.segstream.model;

import io.segstream.ops.ProgressBar;
import java.io.PrintStream;
import java.util.Locale;

/** Shows a training run on the console's {@link ProgressBar}: steps, smoothed loss, checkpoints. */
public final class TrainingProgress implements TrainingListener {

  private final ProgressBar bar;
  private boolean started;
  private double smoothedLoss = Double.NaN;

  /** @param interactive redraw in place (a terminal) rather than print lines (a log) */
  public TrainingProgress(PrintStream out, boolean interactive) {
    this.bar = new ProgressBar(out, interactive, "steps", 0);
  }

  @Override
  public void onStep(int step, int totalSteps, float loss) {
    if (!started) {
      started = true;
      bar.doneBefore(step - 1); // a resumed run: its rate and ETA count this run's steps only
      bar.total(totalSteps);
    }
    smoothedLoss = Double.isNaN(smoothedLoss) ? loss : 0.95 * smoothedLoss + 0.05 * loss;
    String note = String.format(Locale.ROOT, "loss %.4f", smoothedLoss);
    if (step >= totalSteps) {
      bar.finish(step, note);
    } else {
      bar.update(step, note);
    }
  }

  @Override
  public void onCheckpoint(int step) {
    bar.message("checkpoint saved at step " + step);
  }
}
