package io.segstream.inference;

import io.segstream.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Image in, per-pixel class ids and class scores out.
 *
 * <p>The topology depends only on this interface; implementations (a DJL predictor, a pool of model
 * instances behind a dynamic batcher) live in this package. Implementations must be safe to call from
 * several threads at once.
 *
 * <p>The stream calls {@link #segmentAsync}; {@link #segment} is for tools that want one result now.
 */
public interface Segmenter extends AutoCloseable {

  ModelInfo modelInfo();

  /** Segments one image; blocks until its result is ready. */
  Segmentation segment(RgbImage image) throws SegmentationException;

  /**
   * Segments one image without waiting for the result: the future completes with it, or
   * exceptionally with a {@link SegmentationException} (never throws itself). The default runs {@link
   * #segment} on the calling thread; implementations that batch or run elsewhere override it so the
   * caller does not wait for the model.
   */
  default CompletableFuture<Segmentation> segmentAsync(RgbImage image) {
    try {
      return CompletableFuture.completedFuture(segment(image));
    } catch (SegmentationException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

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
