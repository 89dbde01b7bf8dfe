package io.segstream.model;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Where {@link FcnBuilder} gets each parameter from, so one description of the network serves both
 * training ({@link TrainableWeights}: variables) and serving ({@link FrozenWeights}: constants).
 */
public interface WeightSource {

  /**
   * Parameter {@code param} of {@code layer} (its key is "layer/param"), created in {@code layerOps},
   * the layer's name scope. {@code init} says how a fresh one starts; sources holding trained values
   * ignore it.
   */
  Operand<TFloat32> parameter(Ops layerOps, String layer, String param, Shape shape, WeightInit init);

  /** The key of a parameter: "layer/param". */
  static String key(String layer, String param) {
    return layer + "/" + param;
  }
}
