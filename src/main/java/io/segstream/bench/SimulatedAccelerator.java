package io.segstream.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.image.RgbImage;
import io.segstream.inference.BatchBackend;
import io.segstream.inference.BatcherSettings;
import io.segstream.inference.DynamicBatcher;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.ModelInstance;
import io.segstream.inference.ModelInstancePool;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import io.segstream.ops.InferenceMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A stand-in for one GPU, for benchmarks on machines without one (never offered by {@code run}).
 *
 * <ul>
 *   <li><b>Time.</b> A batch of b images takes t(b) = t0 + k·b of wall time, k scaled by the images'
 *       pixels ({@link Timing}).
 *   <li><b>No CPU.</b> The calling thread parks until the batch's end, as a host thread waits on a
 *       CUDA stream, so the host CPU stays free for everything else.
 *   <li><b>One batch at a time.</b> Calls from several threads (several model instances on one
 *       device) queue on the device's timeline: a batch starts when the previous one ends.
 *   <li><b>Cheap masks</b> of the right size and labels: one object in the middle of the frame (class
 *       1 on an ellipse, background around it), built once per size and copied, so that mask
 *       encoding and class areas downstream do the work a real mask asks of them.
 * </ul>
 */
public final class SimulatedAccelerator implements BatchBackend, Segmenter {

  /**
   * The cost model: t(b) = overhead + b · perImageAtReference · pixels / referencePixels.
   *
   * @param overhead t0, per batch: kernel launches and host/device transfers that do not grow with b
   * @param perImageAtReference k at the reference size, the throughput cost of one image
   * @param referenceWidth width of the image size {@code perImageAtReference} was measured at
   * @param referenceHeight its height
   */
  public record Timing(Duration overhead, Duration perImageAtReference, int referenceWidth, int referenceHeight) {

    /**
     * Isaac ROS PeopleSemSegNet (TensorRT, FP16) on an RTX 4060 Ti: 827 fps at 960x544, so
     * k = 1/827 s = 1.209 ms per 960x544 image at throughput; t0 = 2 ms per batch is our assumption
     * for launch and host/device copies.
     */
    public static final Timing DEFAULT =
        new Timing(Duration.ofMillis(2), Duration.ofNanos(Math.round(1e9 / 827)), 960, 544);

    public Timing {
      if (overhead.isNegative() || perImageAtReference.isNegative() || referenceWidth < 1 || referenceHeight < 1) {
        throw new IllegalArgumentException("simulated timing needs t0 >= 0, k >= 0 and a reference size >= 1x1");
      }
    }

    /** t(b) in nanoseconds for {@code images} images of {@code pixels} pixels each. */
    public long batchNanos(int images, long pixels) {
      double perImage = perImageAtReference.toNanos() * (double) pixels / ((long) referenceWidth * referenceHeight);
      return overhead.toNanos() + Math.round(images * perImage);
    }

    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "t(b) = %.3f ms + b x %.3f ms per %dx%d image (k scaled by pixels)",
          overhead.toNanos() / 1e6, perImageAtReference.toNanos() / 1e6, referenceWidth, referenceHeight);
    }
  }

  /** The device name in results and metrics. */
  public static final String DEVICE = "simulated";

  private final ModelInfo model;
  private final Timing timing;
  private final Map<Long, Segmentation> maskBySize = new ConcurrentHashMap<>();
  /** Guards the timeline. */
  private final Object timeline = new Object();
  /** When the last queued batch ends (System.nanoTime). */
  private long freeAtNanos = System.nanoTime();
  /** t(b) of every batch queued so far. */
  private long reservedNanos;

  /** A device answering with {@code model}'s name and labels. */
  public SimulatedAccelerator(ModelInfo model, Timing timing) {
    this.model = model;
    this.timing = timing;
  }

  /**
   * The real {@link DynamicBatcher} driving {@code instances} model instances on this one device, as
   * several instances share one GPU; its metrics go to {@code registry}.
   */
  public DynamicBatcher behindBatcher(int instances, BatcherSettings settings, MeterRegistry registry) {
    List<ModelInstance> pool = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      pool.add(new ModelInstance(DEVICE + "#" + i, DEVICE, this));
    }
    return new DynamicBatcher(model, new ModelInstancePool(pool), settings,
        new InferenceMetrics(registry, model.name(), model.version()));
  }

  public Timing timing() {
    return timing;
  }

  @Override
  public ModelInfo modelInfo() {
    return model;
  }

  /** One batch of one image: a naive per-record caller. */
  @Override
  public Segmentation segment(RgbImage image) throws SegmentationException {
    return runBatch(List.of(image)).get(0);
  }

  /** Queues the batch on the device, then parks until it is done. */
  @Override
  public List<Segmentation> runBatch(List<RgbImage> images) throws SegmentationException {
    if (images.isEmpty()) {
      return List.of();
    }
    int width = images.get(0).width();
    int height = images.get(0).height();
    for (RgbImage image : images) {
      if (image.width() != width || image.height() != height) {
        throw new SegmentationException("a batch is one tensor: images of " + width + "x" + height + " and "
            + image.width() + "x" + image.height() + " cannot share it");
      }
    }
    long duration = timing.batchNanos(images.size(), (long) width * height);
    long end;
    synchronized (timeline) {
      end = Math.max(System.nanoTime(), freeAtNanos) + duration;
      freeAtNanos = end;
      reservedNanos += duration;
    }
    Segmentation mask = maskFor(width, height);
    List<Segmentation> results = new ArrayList<>(images.size());
    long perImage = duration / images.size();
    for (int i = 0; i < images.size(); i++) {
      results.add(new Segmentation(width, height, mask.classIds().clone(), mask.classScores().clone(), perImage));
    }
    for (long wait = end - System.nanoTime(); wait > 0; wait = end - System.nanoTime()) {
      LockSupport.parkNanos(this, wait);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new SegmentationException("interrupted while the simulated batch ran");
      }
    }
    return results;
  }

  /** Nothing to release: no model, no memory on a device. */
  @Override
  public void close() {}

  /**
   * Device time spent on batches up to now. The difference of two readings over the wall time between
   * them is the busy fraction; queued time still ahead is not counted.
   */
  public long busyNanos() {
    synchronized (timeline) {
      return reservedNanos - Math.max(0, freeAtNanos - System.nanoTime());
    }
  }

  private Segmentation maskFor(int width, int height) {
    return maskBySize.computeIfAbsent((long) width << 32 | height, size -> centredObject(width, height));
  }

  /** Class 1 (or 0 for a one-class model) on an ellipse spanning the middle half of the frame. */
  private Segmentation centredObject(int width, int height) {
    byte object = (byte) Math.min(1, model.numClasses() - 1);
    byte[] classIds = centredEllipse(width, height, object);
    long objectPixels = 0;
    for (byte id : classIds) {
      objectPixels += id == object ? 1 : 0;
    }
    float[] scores = new float[Math.max(1, model.numClasses())];
    float objectShare = (float) objectPixels / classIds.length;
    scores[object] += objectShare;
    scores[0] += 1 - objectShare;
    return new Segmentation(width, height, classIds, scores, 0);
  }

  /** Class ids of a frame: {@code object} on an ellipse spanning its middle half, 0 around it. */
  static byte[] centredEllipse(int width, int height, byte object) {
    byte[] classIds = new byte[width * height];
    double cx = width / 2.0;
    double cy = height / 2.0;
    double rx = width / 4.0;
    double ry = height / 4.0;
    for (int y = 0; y < height; y++) {
      double dy = (y + 0.5 - cy) / ry;
      if (dy * dy >= 1) {
        continue;
      }
      int half = (int) Math.round(rx * Math.sqrt(1 - dy * dy));
      int from = Math.max(0, (int) Math.round(cx) - half);
      int to = Math.min(width, (int) Math.round(cx) + half);
      java.util.Arrays.fill(classIds, y * width + from, y * width + to, object);
    }
    return classIds;
  }
}
