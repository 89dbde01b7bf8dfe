package io.segstream.inference;

import io.segstream.image.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A model instance without a model: records every batch it is given and answers each image with a
 * mask that carries the image's id, so callers can check they got their own result back.
 */
final class FakeBackend implements BatchBackend {

  // Written by the batcher's runner threads, read by the test thread: lists that can be iterated
  // (for-each, stream, equals) while a runner appends.
  /** Sizes of the batches run, in order. */
  final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  /** Image sizes of each batch run, in order. */
  final List<List<ImageSize>> batchShapes = new CopyOnWriteArrayList<>();
  /** Image ids of each batch run, in order. */
  final List<List<Integer>> batchIds = new CopyOnWriteArrayList<>();
  /** {@link System#nanoTime()} at the start of each batch run, in order. */
  final List<Long> batchStartNanos = new CopyOnWriteArrayList<>();

  private volatile CountDownLatch gate;
  private volatile int poisonedId = -1;
  private volatile int outOfMemoryAbove = Integer.MAX_VALUE;
  volatile boolean closed;

  /** Until {@link #open()}, every batch blocks once it has been recorded. */
  FakeBackend closeGate() {
    gate = new CountDownLatch(1);
    return this;
  }

  void open() {
    gate.countDown();
  }

  /** Batches holding this image fail. */
  FakeBackend poison(int id) {
    poisonedId = id;
    return this;
  }

  /** Batches of more than {@code images} images run out of memory. */
  FakeBackend outOfMemoryAbove(int images) {
    outOfMemoryAbove = images;
    return this;
  }

  @Override
  public List<Segmentation> runBatch(List<RgbImage> images) throws SegmentationException {
    batchStartNanos.add(System.nanoTime());
    batchSizes.add(images.size());
    batchShapes.add(images.stream().map(ImageSize::of).toList());
    batchIds.add(images.stream().map(FakeBackend::idOf).toList());
    CountDownLatch waitFor = gate;
    if (waitFor != null) {
      try {
        if (!waitFor.await(30, TimeUnit.SECONDS)) {
          throw new SegmentationException("test gate never opened");
        }
      } catch (InterruptedException e) {
        throw new SegmentationException("interrupted", e);
      }
    }
    if (images.size() > outOfMemoryAbove) {
      throw new InferenceOutOfMemoryException("OOM when allocating tensor for " + images.size(), null);
    }
    List<Segmentation> results = new ArrayList<>();
    for (RgbImage image : images) {
      if (idOf(image) == poisonedId) {
        throw new SegmentationException("poisoned image " + poisonedId);
      }
      byte[] mask = new byte[image.width() * image.height()];
      mask[0] = image.pixels()[0];
      mask[1] = image.pixels()[1];
      results.add(new Segmentation(image.width(), image.height(), mask, new float[] {1f}, 1));
    }
    return results;
  }

  @Override
  public void close() {
    closed = true;
  }

  /** An image carrying {@code id} (0..65535) in its first pixel. */
  static RgbImage image(int id, int width, int height) {
    byte[] pixels = new byte[width * height * 3];
    pixels[0] = (byte) id;
    pixels[1] = (byte) (id >> 8);
    return new RgbImage(width, height, pixels);
  }

  static int idOf(RgbImage image) {
    return (image.pixels()[0] & 0xff) | (image.pixels()[1] & 0xff) << 8;
  }

  /** The id of the image a result belongs to. */
  static int idOf(Segmentation result) {
    return (result.classIds()[0] & 0xff) | (result.classIds()[1] & 0xff) << 8;
  }
}
