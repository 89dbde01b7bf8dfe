package io.segstream.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The downsampling path of an FCN: feature maps at growing strides that {@link FcnBuilder}'s class
 * score layer (on the deepest map) and skip score layers (on the finer ones) read.
 */
public interface FcnBackbone {

  /**
   * One feature map.
   *
   * @param name how the score layers reading it are named: score_NAME, upscore2_NAME
   * @param stride input pixels per feature cell
   */
  record FeatureMap(String name, int stride, int channels, Operand<TFloat32> tensor) {}

  /**
   * Adds the backbone to {@code tf}'s graph, reading {@code image} (NHWC RGB in [0, 1]) and taking
   * every parameter from {@code weights}: the deepest map first, then each finer one at half the
   * stride of the one before.
   */
  List<FeatureMap> build(Ops tf, WeightSource weights, Operand<TFloat32> image);

  /** Stride of the deepest map. */
  int deepestStride();

  /** Channels of the deepest map, the input of the class score layer. */
  int deepestChannels();

  /** One line for the model config, e.g. "base width 8". */
  String describe();
}
