package io.segstream.model;

import ai.djl.Device;
import io.segstream.image.RgbImage;
import io.segstream.inference.DjlSegmenter;
import io.segstream.inference.ModelConfig;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.SessionSettings;
import io.segstream.model.SyntheticScenes.Scene;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores a model on held-out synthetic scenes through the same DJL segmenter that serves it: seeds {@code firstSeed .. firstSeed + count - 1},
 * which must be non-negative so they can never be training scenes (see {@link TrainingScenes}).
 */
public final class HeldOutEvaluation {

  private static final int BATCH = 8;

  private HeldOutEvaluation() {}

  public static Evaluation run(Path modelDir, SyntheticScenes scenes, int count, int size, long firstSeed)
      throws IOException {
    if (firstSeed < 0 || firstSeed > Long.MAX_VALUE - count) {
      throw new IllegalArgumentException("held-out seeds must be non-negative (training scenes use negative ones)");
    }
    if (count < 1 || size < 1) {
      throw new IllegalArgumentException("need count >= 1 and size >= 1");
    }
    Evaluation evaluation = new Evaluation(SyntheticScenes.CLASS_LABELS);
    try (DjlSegmenter segmenter =
        DjlSegmenter.load(ModelConfig.load(modelDir), Device.cpu(), SessionSettings.defaults())) {
      for (int start = 0; start < count; start += BATCH) {
        List<Scene> batch = new ArrayList<>();
        List<RgbImage> images = new ArrayList<>();
        for (int i = start; i < Math.min(count, start + BATCH); i++) {
          Scene scene = scenes.generate(firstSeed + i, size, size);
          batch.add(scene);
          images.add(scene.image());
        }
        List<Segmentation> predicted;
        try {
          predicted = segmenter.segmentAll(images);
        } catch (SegmentationException e) {
          throw new IOException("model " + modelDir + " failed on held-out scenes: " + e.getMessage(), e);
        }
        for (int i = 0; i < batch.size(); i++) {
          evaluation.add(batch.get(i).labels(), predicted.get(i).classIds());
        }
      }
    }
    return evaluation;
  }
}
