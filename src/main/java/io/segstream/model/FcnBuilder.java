package io.segstream.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Builds a fully convolutional network (Long, Shelhamer, Darrell: "Fully Convolutional Networks for
 * Semantic Segmentation", CVPR 2015) as a TensorFlow graph.
 *
 * <p>Layout: five VGG-style blocks of two 3x3 convolutions + ReLU, each ending in 2x2 max pooling
 * (stride 32 after pool5); fc6 and fc7 as convolutions (3x3 and 1x1; the paper's 7x7 is too large for
 * small images); a 1x1 class score layer; transposed-convolution upsampling initialised to bilinear
 * interpolation and learnable. FCN-16s and FCN-8s fuse upsampled scores with 1x1 scores of pool4 and
 * pool3, whose score layers start at zero so a fresh net predicts exactly like its coarser parent.
 * There is no dropout (training from scratch on synthetic data does not need it).
 *
 * <p>Any input size works: pooling uses SAME padding (the last cell of an odd-sized map is partial);
 * each 2x upsampling takes the shape of the skip tensor it is fused with; the final upsampling
 * produces {@code stride * ceil(size / stride)} pixels, which keeps the bilinear kernel aligned with
 * pooling cells, and is cropped to the input size.
 *
 * <p>Input "image": NHWC float32 RGB in [0, 1] (8-bit pixel values times 1/255); the graph subtracts
 * 0.5 itself. Outputs: logits, "probabilities" (softmax) and "classes" (int32 argmax).
 */
public final class FcnBuilder {

  public static final String INPUT = "image";
  public static final String PROBABILITIES = "probabilities";
  public static final String CLASSES = "classes";
  private static final int BLOCKS = 5;
  private static final int CONVS_PER_BLOCK = 2;

  private final FcnVariant variant;
  private final int width;
  private final int numClasses;

  /**
   * @param variant FCN-32s, -16s or -8s
   * @param width channels of the first block; block b has {@code width * 2^(b-1)}, capped at 8x;
   *     fc6/fc7 have {@code 16 * width}
   * @param numClasses classes predicted per pixel
   */
  public FcnBuilder(FcnVariant variant, int width, int numClasses) {
    if (width < 1 || numClasses < 2) {
      throw new IllegalArgumentException("need width >= 1 and at least 2 classes");
    }
    this.variant = variant;
    this.width = width;
    this.numClasses = numClasses;
  }

  public FcnVariant variant() {
    return variant;
  }

  public int width() {
    return width;
  }

  public int numClasses() {
    return numClasses;
  }

  /** Adds the network to {@code tf}'s graph, taking every parameter from {@code weights}. */
  public FcnGraph build(Ops tf, WeightSource weights) {
    Placeholder<TFloat32> image =
        tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
    Operand<TFloat32> x = tf.math.sub(image, tf.constant(0.5f));
    Operand<TFloat32> pool3 = null;
    Operand<TFloat32> pool4 = null;
    int channels = 3;
    for (int block = 1; block <= BLOCKS; block++) {
      int out = width * Math.min(1 << (block - 1), 8);
      for (int i = 1; i <= CONVS_PER_BLOCK; i++) {
        x = tf.nn.relu(conv(tf, weights, "conv" + block + "_" + i, x, 3, channels, out, WeightInit.HE_NORMAL));
        channels = out;
      }
      x = tf.withName("pool" + block).nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}),
          tf.constant(new int[] {1, 2, 2, 1}), "SAME");
      if (block == 3) {
        pool3 = x;
      } else if (block == 4) {
        pool4 = x;
      }
    }
    int fc = 16 * width;
    x = tf.nn.relu(conv(tf, weights, "fc6", x, 3, channels, fc, WeightInit.HE_NORMAL));
    x = tf.nn.relu(conv(tf, weights, "fc7", x, 1, fc, fc, WeightInit.HE_NORMAL));
    Operand<TFloat32> score = conv(tf, weights, "score_fr", x, 1, fc, numClasses, WeightInit.HE_NORMAL);
    Operand<TFloat32> coarsest = score;
    if (variant != FcnVariant.FCN_32S) {
      score = fuse(tf, weights, score, pool4, "pool4", 8 * width);
      coarsest = pool4;
    }
    if (variant == FcnVariant.FCN_8S) {
      score = fuse(tf, weights, score, pool3, "pool3", 4 * width);
      coarsest = pool3;
    }
    int stride = variant.outputStride();
    Operand<TInt32> upsampledShape =
        tf.concat(List.of(tf.math.mul(spatialShape(tf, coarsest), tf.constant(new int[] {1, stride, stride})),
            tf.constant(new int[] {numClasses})), tf.constant(0));
    Operand<TFloat32> upsampled = upsample(tf, weights, "upscore" + stride, score, upsampledShape, stride);
    // Crop [0, H) x [0, W): the padding added by pooling odd sizes is at the bottom/right.
    Operand<TInt32> cropSize =
        tf.concat(List.of(tf.constant(new int[] {-1}), tf.slice(tf.shape(image), tf.constant(new int[] {1}),
            tf.constant(new int[] {2})), tf.constant(new int[] {-1})), tf.constant(0));
    Operand<TFloat32> logits =
        tf.withName("logits").slice(upsampled, tf.constant(new int[] {0, 0, 0, 0}), cropSize);
    Operand<TFloat32> probabilities = tf.withName(PROBABILITIES).nn.softmax(logits);
    Operand<TInt32> classes = tf.withName(CLASSES).math.argMax(logits, tf.constant(3), TInt32.class);
    return new FcnGraph(image, logits, probabilities, classes);
  }

  /** 2x-upsamples {@code score} to the size of {@code skip} and adds 1x1 scores of {@code skip}. */
  private Operand<TFloat32> fuse(Ops tf, WeightSource weights, Operand<TFloat32> score,
      Operand<TFloat32> skip, String skipName, int skipChannels) {
    Operand<TInt32> skipShape =
        tf.concat(List.of(spatialShape(tf, skip), tf.constant(new int[] {numClasses})), tf.constant(0));
    Operand<TFloat32> up = upsample(tf, weights, "upscore2_" + skipName, score, skipShape, 2);
    Operand<TFloat32> skipScore =
        conv(tf, weights, "score_" + skipName, skip, 1, skipChannels, numClasses, WeightInit.ZEROS);
    return tf.withName("fuse_" + skipName).math.add(up, skipScore);
  }

  /** Learnable transposed convolution, kernel 2 * stride, starting as bilinear interpolation. */
  private Operand<TFloat32> upsample(Ops tf, WeightSource weights, String name, Operand<TFloat32> x,
      Operand<TInt32> outputShape, int stride) {
    int k = 2 * stride;
    Ops layer = tf.withSubScope(name);
    Operand<TFloat32> kernel =
        weights.parameter(layer, name, "kernel", Shape.of(k, k, numClasses, numClasses), WeightInit.BILINEAR);
    return layer.nn.conv2dBackpropInput(
        outputShape, kernel, x, List.of(1L, (long) stride, (long) stride, 1L), "SAME");
  }

  private static Operand<TFloat32> conv(Ops tf, WeightSource weights, String name, Operand<TFloat32> x,
      int k, int in, int out, WeightInit init) {
    Ops layer = tf.withSubScope(name);
    Operand<TFloat32> kernel = weights.parameter(layer, name, "kernel", Shape.of(k, k, in, out), init);
    Operand<TFloat32> bias = weights.parameter(layer, name, "bias", Shape.of(out), WeightInit.ZEROS);
    return layer.nn.biasAdd(layer.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME"), bias);
  }

  /** [N, H, W] of an NHWC tensor. */
  private static Operand<TInt32> spatialShape(Ops tf, Operand<TFloat32> x) {
    return tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {3}));
  }
}
