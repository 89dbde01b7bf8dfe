package io.segstream.inference;

import io.segstream.image.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Image in, per-pixel class ids and class scores out.
 *
 * <p>The topology depends only on this interface; implementations (a DJL predictor, a pool of model
 * instances behind a dynamic batcher) live in this package. Implementations must be safe to call from
 * several stream threads at once.
 */
public interface Segmenter extends AutoCloseable {

  ModelInfo modelInfo();

  /** Segments one image; blocks until its result is ready. */
  Segmentation segment(RgbImage image) throws SegmentationException;

  /**
   * Segments several images. The default calls {@link #segment} for each; batching implementations
   * override it to run them in one model call.
   */
  default List<Segmentation> segmentAll(List<RgbImage> images) throws SegmentationException {
    List<Segmentation> results = new ArrayList<>(images.size());
    for (RgbImage image : images) {
      results.add(segment(image));
    }
    return results;
  }

  @Override
  default void close() {}
}
