package io.segstream.model;

import java.util.SplittableRandom;
import org.tensorflow.ndarray.Shape;

/** How a fresh parameter starts. Values are computed in Java so a seed fixes them exactly. */
public enum WeightInit {
  /** He et al. normal initialisation for ReLU convolutions: N(0, 2 / fan_in); kernels are HWIO. */
  HE_NORMAL,
  /** All zeros: biases, and the skip score layers so a fresh FCN-16s/8s predicts like FCN-32s. */
  ZEROS,
  /**
   * Bilinear interpolation for a transposed-convolution kernel [k, k, C, C] with k = 2 * stride:
   * channel c maps only to channel c, as in the FCN reference code (surgery.interp).
   */
  BILINEAR;

  /** Row-major values for {@code shape}; {@code random} is used by random schemes only. */
  public float[] values(Shape shape, SplittableRandom random) {
    int size = Math.toIntExact(shape.size());
    float[] values = new float[size];
    switch (this) {
      case ZEROS:
        return values;
      case HE_NORMAL:
        long fanIn = shape.numDimensions() == 4 ? shape.get(0) * shape.get(1) * shape.get(2) : 1;
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < size; i++) {
          values[i] = (float) (gaussian(random) * std);
        }
        return values;
      case BILINEAR:
        return bilinear(shape);
      default:
        throw new AssertionError(this);
    }
  }

  /** The 1-D bilinear weight at tap {@code i} of a kernel of even size {@code k}. */
  public static double bilinearTap(int i, int k) {
    double factor = (k + 1) / 2;
    double centre = k % 2 == 1 ? factor - 1 : factor - 0.5;
    return 1 - Math.abs(i - centre) / factor;
  }

  private static float[] bilinear(Shape shape) {
    if (shape.numDimensions() != 4 || shape.get(0) != shape.get(1) || shape.get(2) != shape.get(3)) {
      throw new IllegalArgumentException("bilinear kernels are [k, k, C, C], got " + shape);
    }
    int k = (int) shape.get(0);
    int channels = (int) shape.get(2);
    float[] values = new float[Math.toIntExact(shape.size())];
    for (int y = 0; y < k; y++) {
      for (int x = 0; x < k; x++) {
        float weight = (float) (bilinearTap(y, k) * bilinearTap(x, k));
        for (int c = 0; c < channels; c++) {
          values[((y * k + x) * channels + c) * channels + c] = weight;
        }
      }
    }
    return values;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller: SplittableRandom has no nextGaussian before Java 17's RandomGenerator default.
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
