package io.segstream.inference;

import io.segstream.image.RgbImage;
import java.util.List;

/**
 * One model instance as the {@link DynamicBatcher} drives it: one model call per batch, one batch at a
 * time. The batcher never calls an instance from two threads at once.
 */
public interface BatchBackend extends AutoCloseable {

  /**
   * Segments images of one size in one model call.
   *
   * @return one result per image, in order
   * @throws InferenceOutOfMemoryException when the batch did not fit in memory (a smaller one may)
   * @throws SegmentationException when the model failed on the batch
   */
  List<Segmentation> runBatch(List<RgbImage> images) throws SegmentationException;

  @Override
  default void close() {}
}
