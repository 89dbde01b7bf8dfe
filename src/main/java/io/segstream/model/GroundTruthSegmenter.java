package io.segstream.model;

import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A perfect "model" for registered synthetic scenes: it answers each scene's ground truth.
 *
 * <p>For exercising the stream pipeline without a trained model (tests, and {@code demo --oracle}):
 * any mask difference downstream is then a pipeline bug, not a model error. It recognises a scene by
 * its exact pixels, so frames must travel losslessly (PNG or RAW_RGB8, not JPEG).
 */
public final class GroundTruthSegmenter implements Segmenter {

  private static final ModelInfo MODEL =
      new ModelInfo("ground-truth", "1", SyntheticScenes.CLASS_LABELS);

  private final Map<ByteBuffer, byte[]> labelsByPixels = new ConcurrentHashMap<>();

  /** Makes {@code scene} known; segmenting its image then returns its labels. */
  public GroundTruthSegmenter register(SyntheticScenes.Scene scene) {
    labelsByPixels.put(ByteBuffer.wrap(scene.image().pixels().clone()), scene.labels().clone());
    return this;
  }

  @Override
  public ModelInfo modelInfo() {
    return MODEL;
  }

  @Override
  public Segmentation segment(RgbImage image) throws SegmentationException {
    byte[] labels = labelsByPixels.get(ByteBuffer.wrap(image.pixels()));
    if (labels == null) {
      throw new SegmentationException(
          "image " + image.width() + "x" + image.height() + " is not a registered synthetic scene");
    }
    float[] scores = new float[MODEL.numClasses()];
    for (byte label : labels) {
      scores[label]++;
    }
    for (int c = 0; c < scores.length; c++) {
      scores[c] /= labels.length;
    }
    return new Segmentation(image.width(), image.height(), labels.clone(), scores, 0L);
  }
}
