package io.segstream.model;

import ai.djl.Device;
import io.segstream.image.RgbImage;
import io.segstream.inference.DjlSegmenter;
import io.segstream.inference.ModelConfig;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.SessionSettings;
import io.segstream.model.SyntheticScenes.Scene;
import io.segstream.model.data.LabeledDataset;
import io.segstream.model.data.LabeledImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores a model on held-out labeled images through the same DJL segmenter that serves it: synthetic
 * scenes with seeds {@code firstSeed .. firstSeed + count - 1}, which must be non-negative so they can
 * never be training scenes (see {@link TrainingScenes}), or a labeled dataset on disk.
 */
public final class HeldOutEvaluation {

  private static final int BATCH = 8;

  /** Gets each scored image with the model's prediction, e.g. to draw an error map. */
  @FunctionalInterface
  public interface ScoredImages {
    void accept(LabeledImage truth, Segmentation predicted) throws IOException;
  }

  @FunctionalInterface
  private interface Samples {
    LabeledImage read(int index) throws IOException;
  }

  private HeldOutEvaluation() {}

  public static Evaluation run(Path modelDir, SyntheticScenes scenes, int count, int size, long firstSeed)
      throws IOException {
    if (firstSeed < 0 || firstSeed > Long.MAX_VALUE - count) {
      throw new IllegalArgumentException("held-out seeds must be non-negative (training scenes use negative ones)");
    }
    if (count < 1 || size < 1) {
      throw new IllegalArgumentException("need count >= 1 and size >= 1");
    }
    return score(ModelConfig.load(modelDir), SyntheticScenes.CLASS_LABELS, count, i -> {
      Scene scene = scenes.generate(firstSeed + i, size, size);
      return new LabeledImage("seed " + (firstSeed + i), scene.image(), scene.labels());
    }, (truth, predicted) -> {});
  }

  /**
   * Scores the model on every image of {@code dataset}, whose labels must be the model's (same ids,
   * same names: otherwise the scores would compare different classes).
   */
  public static Evaluation run(Path modelDir, LabeledDataset dataset, ScoredImages scored) throws IOException {
    ModelConfig config = ModelConfig.load(modelDir);
    if (!config.labels().equals(dataset.labels())) {
      throw new IllegalArgumentException("model " + modelDir + " has labels " + String.join(",", config.labels())
          + " but dataset " + dataset.root() + " has " + String.join(",", dataset.labels())
          + " (a labels.txt in the dataset sets its labels)");
    }
    return score(config, dataset.labels(), dataset.size(), dataset::read, scored);
  }

  /** Runs the model on samples 0..count-1, batching consecutive samples of the same size. */
  private static Evaluation score(
      ModelConfig config, List<String> labels, int count, Samples samples, ScoredImages scored) throws IOException {
    Evaluation evaluation = new Evaluation(labels);
    try (DjlSegmenter segmenter = DjlSegmenter.load(config, Device.cpu(), SessionSettings.defaults())) {
      List<LabeledImage> batch = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        LabeledImage sample = samples.read(i);
        if (!batch.isEmpty() && (batch.size() == BATCH || !sameSize(batch.get(0).image(), sample.image()))) {
          scoreBatch(segmenter, config, batch, evaluation, scored);
        }
        batch.add(sample);
      }
      scoreBatch(segmenter, config, batch, evaluation, scored);
    }
    return evaluation;
  }

  private static void scoreBatch(DjlSegmenter segmenter, ModelConfig config, List<LabeledImage> batch,
      Evaluation evaluation, ScoredImages scored) throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    List<Segmentation> predicted;
    try {
      predicted = segmenter.segmentAll(batch.stream().map(LabeledImage::image).toList());
    } catch (SegmentationException e) {
      throw new IOException("model " + config.modelDir() + " failed on " + batch.get(0).name() + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < batch.size(); i++) {
      evaluation.add(batch.get(i).truth(), predicted.get(i).classIds());
      scored.accept(batch.get(i), predicted.get(i));
    }
    batch.clear();
  }

  private static boolean sameSize(RgbImage a, RgbImage b) {
    return a.width() == b.width() && a.height() == b.height();
  }
}
