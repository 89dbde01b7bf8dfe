package io.segstream.topology;

import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import java.util.List;

/** Segmenters with simple, known behaviour for exercising the topology. */
public final class TestSegmenters {

  public static final ModelInfo BRIGHTNESS_MODEL = new ModelInfo("brightness", "test", List.of("dark", "bright"));

  private TestSegmenters() {}

  public interface SegmentFunction {
    Segmentation segment(RgbImage image) throws SegmentationException;
  }

  public static Segmenter of(ModelInfo model, SegmentFunction function) {
    return new Segmenter() {
      @Override
      public ModelInfo modelInfo() {
        return model;
      }

      @Override
      public Segmentation segment(RgbImage image) throws SegmentationException {
        return function.segment(image);
      }
    };
  }

  /** Class 1 ("bright") where the mean of R, G and B is above 127, else class 0. */
  public static Segmenter brightness() {
    return of(BRIGHTNESS_MODEL, image -> {
      byte[] ids = new byte[image.width() * image.height()];
      byte[] rgb = image.pixels();
      for (int i = 0; i < ids.length; i++) {
        int sum = (rgb[i * 3] & 0xff) + (rgb[i * 3 + 1] & 0xff) + (rgb[i * 3 + 2] & 0xff);
        ids[i] = (byte) (sum > 3 * 127 ? 1 : 0);
      }
      return new Segmentation(image.width(), image.height(), ids, new float[] {0.5f, 0.5f}, 1_000_000L);
    });
  }
}
