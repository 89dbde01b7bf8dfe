package io.segstream.model;

import io.segstream.model.data.LabeledImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The scenes a training run sees: batch {@code step} is a pure function of the training seed and the
 * step, so a resumed run sees exactly what an uninterrupted one would. All scenes of a batch share
 * one size, drawn per step from [minSize, maxSize].
 *
 * <p>Training scene seeds are always negative; held-out sets use non-negative seeds, so the two can
 * never share a scene.
 */
public final class TrainingScenes implements TrainingBatches {

  private final SyntheticScenes scenes;
  private final long seed;
  private final int batchSize;
  private final int minSize;
  private final int maxSize;

  public TrainingScenes(SyntheticScenes scenes, long seed, int batchSize, int minSize, int maxSize) {
    this.scenes = scenes;
    this.seed = seed;
    this.batchSize = batchSize;
    this.minSize = minSize;
    this.maxSize = maxSize;
  }

  /** The scenes of training step {@code step} (0-based). */
  @Override
  public List<LabeledImage> batch(long step) {
    List<LabeledImage> batch = new ArrayList<>(batchSize);
    int size = minSize + new SplittableRandom(seed ^ ~step).nextInt(maxSize - minSize + 1);
    for (int i = 0; i < batchSize; i++) {
      long sceneSeed = sceneSeed(seed, step * batchSize + i);
      batch.add(scenes.generate(sceneSeed, size, size).labeled("seed " + sceneSeed));
    }
    return batch;
  }

  /** Empty: synthetic runs are fully described by the training options (and older checkpoints match). */
  @Override
  public String describe() {
    return "";
  }

  /** The seed of the {@code index}-th training scene of a run seeded {@code trainingSeed}; negative. */
  public static long sceneSeed(long trainingSeed, long index) {
    long mixed = new SplittableRandom(trainingSeed * 0x9E3779B97F4A7C15L + index).nextLong();
    return mixed | Long.MIN_VALUE;
  }
}
