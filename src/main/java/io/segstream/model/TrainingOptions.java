package io.segstream.model;

import java.nio.file.Path;

/**
 * How to train an FCN on synthetic scenes.
 *
 * @param variant FCN-32s/16s/8s
 * @param width channels of the first block (see {@link FcnBuilder})
 * @param steps optimiser steps in total (a resumed run continues up to this count)
 * @param batchSize scenes per step
 * @param minSize smallest side of the square training scenes in pixels
 * @param maxSize largest side; each step draws its size from [minSize, maxSize] (seeded), so one model
 *     learns shapes at several scales and on sizes that are not multiples of 32
 * @param seed fixes initial weights and the training scenes
 * @param learningRate Adam's peak learning rate; it follows a cosine decay to zero over {@code steps}
 * @param checkpointEvery save a checkpoint every this many steps (0: never)
 * @param checkpointDir where checkpoints go; a run resumes from the one found there (may be null
 *     when {@code checkpointEvery} is 0)
 * @param threads TensorFlow intra-op threads
 */
public record TrainingOptions(
    FcnVariant variant,
    int width,
    int steps,
    int batchSize,
    int minSize,
    int maxSize,
    long seed,
    double learningRate,
    int checkpointEvery,
    Path checkpointDir,
    int threads) {

  public TrainingOptions {
    require(width >= 1, "width must be >= 1");
    require(steps >= 1, "steps must be >= 1");
    require(batchSize >= 1, "batch size must be >= 1");
    require(minSize >= 8, "image size must be >= 8");
    require(maxSize >= minSize, "largest image size must be >= smallest");
    require(learningRate > 0, "learning rate must be > 0");
    require(checkpointEvery >= 0, "checkpoint interval must be >= 0");
    require(threads >= 1, "threads must be >= 1");
    require(checkpointEvery == 0 || checkpointDir != null, "checkpoints need a checkpoint directory");
  }

  /**
   * The settings a checkpoint must share with this run to be resumed: all but the thread count (the
   * step count too, as the learning-rate schedule depends on it).
   */
  String fingerprint() {
    return String.join(",", variant.shortName(), "w" + width, "b" + batchSize, "s" + minSize + "-" + maxSize,
        "seed" + seed, "lr" + learningRate, "steps" + steps);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
