package io.segstream.model;

import io.segstream.ops.ProgressBar;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a training run on the console's {@link ProgressBar}: steps, smoothed loss, the latest
 * validation mean IoU, checkpoints; each validation score also gets a line of its own.
 */
public final class TrainingProgress implements TrainingListener {

  private final ProgressBar bar;
  private boolean started;
  private double smoothedLoss = Double.NaN;
  private double validationMeanIou = Double.NaN;

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
    String note = String.format(Locale.ROOT, "loss %.4f", smoothedLoss)
        + (Double.isNaN(validationMeanIou) ? "" : String.format(Locale.ROOT, "  val mIoU %.4f", validationMeanIou));
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

  @Override
  public void onValidation(int step, Evaluation validation) {
    validationMeanIou = validation.meanIou();
    bar.message(String.format(Locale.ROOT, "step %d: val mIoU %.4f  pixel acc. %.4f  (%,d pixels)", step,
        validation.meanIou(), validation.pixelAccuracy(), validation.pixels()));
  }
}
