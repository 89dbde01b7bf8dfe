package io.segstream.model;

import io.segstream.model.data.Augmentation;
import io.segstream.model.data.LabeledDataset;
import io.segstream.model.data.LabeledImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training batches from a labeled dataset: images in a seeded random order, a fresh permutation per
 * epoch, each augmented ({@link Augmentation}) with a random stream fixed by the seed and its position
 * in the run, so batch {@code step} is the same whether or not the run was resumed.
 */
public final class DatasetBatches implements TrainingBatches {

  private final LabeledDataset dataset;
  private final Augmentation augmentation;
  private final long seed;
  private final int batchSize;
  private long cachedEpoch = -1;
  private int[] cachedOrder;

  public DatasetBatches(LabeledDataset dataset, Augmentation augmentation, long seed, int batchSize) {
    this.dataset = dataset;
    this.augmentation = augmentation;
    this.seed = seed;
    this.batchSize = batchSize;
  }

  @Override
  public List<LabeledImage> batch(long step) throws IOException {
    List<LabeledImage> batch = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) {
      long position = step * batchSize + i;
      int index = order(position / dataset.size())[(int) (position % dataset.size())];
      SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + position);
      batch.add(augmentation.apply(dataset.read(index), random));
    }
    return batch;
  }

  @Override
  public String describe() {
    return dataset.root().toAbsolutePath().normalize() + "," + augmentation.describe();
  }

  /** The image order of {@code epoch}: a Fisher-Yates shuffle seeded by the run seed and the epoch. */
  private int[] order(long epoch) {
    if (epoch != cachedEpoch) {
      int[] order = new int[dataset.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      SplittableRandom random = new SplittableRandom(seed ^ (epoch * 0xC2B2AE3D27D4EB4FL));
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int swap = order[i];
        order[i] = order[j];
        order[j] = swap;
      }
      cachedOrder = order;
      cachedEpoch = epoch;
    }
    return cachedOrder;
  }
}
