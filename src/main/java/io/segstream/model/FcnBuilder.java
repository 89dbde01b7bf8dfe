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
 * <p>Layout: a downsampling path ({@link FcnBackbone}: by default {@link VggBackbone}, or the encoder of
 * an imported TF.js network, {@link TfjsEncoder}); a 1x1 class score layer on its deepest map;
 * transposed-convolution upsampling initialised to bilinear interpolation and learnable. Finer heads
 * fuse the upsampled scores with 1x1 scores of finer maps (with the VGG path: FCN-16s with pool4,
 * FCN-8s additionally with pool3), whose score layers start at zero so a fresh net predicts exactly
 * like its coarser parent. There is no dropout (training from scratch on synthetic data does not need
 * it).
 *
 * <p>Any input size works: downsampling uses SAME padding (the last cell of an odd-sized map is
 * partial); each 2x upsampling takes the shape of the skip tensor it is fused with; the final
 * upsampling produces {@code stride * ceil(size / stride)} pixels, which keeps the bilinear kernel
 * aligned with the feature cells, and is cropped to the input size.
 *
 * <p>Input "image": NHWC float32 RGB in [0, 1] (8-bit pixel values times 1/255); the backbone maps it
 * to the range it expects itself. Outputs: logits, "probabilities" (softmax) and "classes" (int32
 * argmax).
 */
public final class FcnBuilder {

  public static final String INPUT = "image";
  public static final String PROBABILITIES = "probabilities";
  public static final String CLASSES = "classes";
  /** The class score layer on the deepest map. */
  public static final String CLASS_SCORES = "score_fr";

  private final FcnVariant variant;
  private final FcnBackbone backbone;
  private final int numClasses;

  /**
   * An FCN on the VGG-style path.
   *
   * @param variant FCN-32s, -16s or -8s
   * @param width channels of the first block (see {@link VggBackbone})
   * @param numClasses classes predicted per pixel
   */
  public FcnBuilder(FcnVariant variant, int width, int numClasses) {
    this(variant, new VggBackbone(width), numClasses);
  }

  /**
   * @param variant the output stride: the finest map whose scores are fused; the backbone must reach
   *     at least that stride
   */
  public FcnBuilder(FcnVariant variant, FcnBackbone backbone, int numClasses) {
    if (numClasses < 2) {
      throw new IllegalArgumentException("need at least 2 classes");
    }
    if (variant.outputStride() > backbone.deepestStride()) {
      throw new IllegalArgumentException("FCN-" + variant.shortName() + " scores stride-" + variant.outputStride()
          + " features, but the backbone's deepest features are at stride " + backbone.deepestStride()
          + "; choose a variant of at most " + backbone.deepestStride() + "s");
    }
    this.variant = variant;
    this.backbone = backbone;
    this.numClasses = numClasses;
  }

  public FcnVariant variant() {
    return variant;
  }

  public FcnBackbone backbone() {
    return backbone;
  }

  /** The VGG path's base width, or 0 for another backbone. */
  public int width() {
    return backbone instanceof VggBackbone vgg ? vgg.width() : 0;
  }

  public int numClasses() {
    return numClasses;
  }

  /** Adds the network to {@code tf}'s graph, taking every parameter from {@code weights}. */
  public FcnGraph build(Ops tf, WeightSource weights) {
    Placeholder<TFloat32> image =
        tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
    List<FcnBackbone.FeatureMap> maps = backbone.build(tf, weights, image);
    FcnBackbone.FeatureMap deepest = maps.get(0);
    Operand<TFloat32> score =
        conv(tf, weights, CLASS_SCORES, deepest.tensor(), 1, deepest.channels(), numClasses, WeightInit.HE_NORMAL);
    FcnBackbone.FeatureMap coarsest = deepest;
    for (FcnBackbone.FeatureMap skip : maps.subList(1, maps.size())) {
      if (skip.stride() < variant.outputStride()) {
        break;
      }
      score = fuse(tf, weights, score, skip.tensor(), skip.name(), skip.channels());
      coarsest = skip;
    }
    int stride = variant.outputStride();
    if (coarsest.stride() != stride) {
      throw new IllegalStateException("the backbone has no stride-" + stride + " features for FCN-" + variant.shortName());
    }
    Operand<TInt32> upsampledShape =
        tf.concat(List.of(tf.math.mul(spatialShape(tf, coarsest.tensor()), tf.constant(new int[] {1, stride, stride})),
            tf.constant(new int[] {numClasses})), tf.constant(0));
    Operand<TFloat32> upsampled = upsample(tf, weights, "upscore" + stride, score, upsampledShape, stride);
    // Crop [0, H) x [0, W): the padding added by downsampling odd sizes is at the bottom/right.
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

  /** A k x k convolution (stride 1, SAME) with bias, parameters "NAME/kernel" and "NAME/bias". */
  static Operand<TFloat32> conv(Ops tf, WeightSource weights, String name, Operand<TFloat32> x,
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
