package io.segstream.bench;

import io.segstream.image.RgbImage;
import io.segstream.inference.BatchBackend;
import io.segstream.inference.SegmentationException;
import io.segstream.model.SyntheticScenes;
import io.segstream.ops.Percentiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The raw model ceiling: one model instance called back to back with batches of synthetic frames, no
 * Kafka and no batcher. Shared by {@code bench model} and {@code bench stream}.
 */
public final class PredictorThroughput {

  /** Model calls before measuring: TensorFlow tunes and allocates on the first calls of a new shape. */
  public static final int WARM_UP_CALLS = 3;

  private PredictorThroughput() {}

  /** One measured size and batch. */
  public record Result(int width, int height, int batch, int calls, double seconds, double imagesPerSecond,
      double meanMsPerCall, double p50MsPerCall, double p95MsPerCall, double forwardMsPerCall,
      double cpuMsPerImage) {}

  /** Calls the model with batches of {@code batch} {@code width x height} frames for about {@code seconds}. */
  public static Result measure(BatchBackend segmenter, int width, int height, int batch, double seconds)
      throws SegmentationException {
    List<RgbImage> images = frames(width, height, batch);
    for (int i = 0; i < WARM_UP_CALLS; i++) {
      segmenter.runBatch(images);
    }
    List<Long> callNanos = new ArrayList<>();
    long forwardNanos = 0;
    long cpuStart = ProcessCpu.nanos();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long now = start;
    while (now < end || callNanos.isEmpty()) {
      // computeNanos is the model call's share per image; the rest of a call is Java-side translation.
      forwardNanos += segmenter.runBatch(images).get(0).computeNanos() * batch;
      long after = System.nanoTime();
      callNanos.add(after - now);
      now = after;
    }
    double cpuMsPerImage = ProcessCpu.msPerItem(cpuStart, (long) callNanos.size() * batch);
    double elapsed = (now - start) / 1e9;
    double[] sorted = callNanos.stream().mapToDouble(Long::doubleValue).sorted().toArray();
    return new Result(width, height, batch, sorted.length, elapsed, sorted.length * batch / elapsed,
        Arrays.stream(sorted).average().orElse(0) / 1e6, Percentiles.of(sorted, 0.50) / 1e6,
        Percentiles.of(sorted, 0.95) / 1e6, forwardNanos / 1e6 / sorted.length, cpuMsPerImage);
  }

  /** {@code count} distinct synthetic scenes (seeds 0..count-1) of one size. */
  public static List<RgbImage> frames(int width, int height, int count) {
    SyntheticScenes scenes = new SyntheticScenes();
    List<RgbImage> images = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      images.add(scenes.generate(i, width, height).image());
    }
    return images;
  }

  /** A size given as N (square) or WxH. */
  public static int[] parseSize(String size) {
    String[] parts = size.trim().toLowerCase(java.util.Locale.ROOT).split("x");
    try {
      int width = Integer.parseInt(parts[0].trim());
      int height = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : width;
      if (parts.length > 2 || width < 1 || height < 1) {
        throw new NumberFormatException();
      }
      return new int[] {width, height};
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("size '" + size + "' is not N or WxH");
    }
  }
}
