package io.segstream.model;

import io.segstream.model.data.LabeledDataset;
import java.util.List;

/**
 * What a run trains on and how it is checked.
 *
 * @param labels class labels in class id order (the network predicts this many classes)
 * @param batches the training batches
 * @param validation scored during training, or null for none
 * @param validateEvery steps between validation scores (and after the last step); 0: never
 */
public record TrainingData(List<String> labels, TrainingBatches batches, LabeledDataset validation,
    int validateEvery) {

  public TrainingData {
    labels = List.copyOf(labels);
    if (validateEvery < 0) {
      throw new IllegalArgumentException("validation interval must be >= 0");
    }
    if (validation != null && !validation.labels().equals(labels)) {
      throw new IllegalArgumentException("validation split " + validation.root() + " has labels "
          + validation.labels() + ", training has " + labels);
    }
  }

  /** Seeded synthetic shape scenes, the zero-setup default. */
  public static TrainingData synthetic(TrainingOptions options, SyntheticScenes scenes) {
    return new TrainingData(SyntheticScenes.CLASS_LABELS, new TrainingScenes(scenes, options.seed(),
        options.batchSize(), options.minSize(), options.maxSize()), null, 0);
  }
}
