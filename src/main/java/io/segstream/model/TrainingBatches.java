package io.segstream.model;

import io.segstream.model.data.LabeledImage;
import java.io.IOException;
import java.util.List;

/**
 * What a training run sees: batch {@code step} depends only on the run's seed and the step, so a
 * resumed run sees exactly what an uninterrupted one would. All images of a batch share one size.
 */
public interface TrainingBatches {

  /** The images of training step {@code step} (0-based), masks using {@code 255} for void pixels. */
  List<LabeledImage> batch(long step) throws IOException;

  /** What the batches are drawn from, for checkpoint fingerprints ("synthetic", a dataset path, ...). */
  String describe();
}
