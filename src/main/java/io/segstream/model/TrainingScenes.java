package io.segstream.model;

import io.segstream.model.SyntheticScenes.Scene;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The scenes a training run sees: batch {@code step} is a pure function of the training seed and the
 * step, so a resumed run sees exactly what an uninterrupted one would.
 *
 * <p>Training scene seeds are always negative; held-out sets use non-negative seeds, so the two can
 * never share a scene.
 */
public final class TrainingScenes {

  private final SyntheticScenes scenes;
  private final long seed;
  private final int batchSize;
  private final int size;

  public TrainingScenes(SyntheticScenes scenes, long seed, int batchSize, int size) {
    this.scenes = scenes;
    this.seed = seed;
    this.batchSize = batchSize;
    this.size = size;
  }

  /** The scenes of training step {@code step} (0-based). */
  public List<Scene> batch(long step) {
    List<Scene> batch = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) {
      batch.add(scenes.generate(sceneSeed(seed, step * batchSize + i), size, size));
    }
    return batch;
  }

  /** The seed of the {@code index}-th training scene of a run seeded {@code trainingSeed}; negative. */
  public static long sceneSeed(long trainingSeed, long index) {
    long mixed = new SplittableRandom(trainingSeed * 0x9E3779B97F4A7C15L + index).nextLong();
    return mixed | Long.MIN_VALUE;
  }
}
