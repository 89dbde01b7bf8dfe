package io.segstream.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Trained parameter values baked into the graph as constants: what an exported model holds. */
public final class FrozenWeights implements WeightSource {

  private final Map<String, float[]> values;
  private final Map<String, Shape> shapes;

  public FrozenWeights(Map<String, float[]> values, Map<String, Shape> shapes) {
    this.values = new LinkedHashMap<>(values);
    this.shapes = new LinkedHashMap<>(shapes);
  }

  @Override
  public Operand<TFloat32> parameter(Ops layerOps, String layer, String param, Shape shape, WeightInit init) {
    String name = WeightSource.key(layer, param);
    float[] data = values.get(name);
    if (data == null) {
      throw new IllegalArgumentException("no trained value for parameter " + name);
    }
    if (!shape.equals(shapes.get(name))) {
      throw new IllegalArgumentException(
          "parameter " + name + " was trained with shape " + shapes.get(name) + ", graph needs " + shape);
    }
    return layerOps.withName(param).constant(shape, DataBuffers.of(data, true, false));
  }

  /** The values of parameter {@code name}, row-major (a copy). */
  public float[] values(String name) {
    float[] data = values.get(name);
    if (data == null) {
      throw new IllegalArgumentException("no parameter " + name);
    }
    return data.clone();
  }

  /** The parameter names and shapes, in creation order. */
  public Map<String, Shape> shapes() {
    return java.util.Collections.unmodifiableMap(shapes);
  }

  /** Number of scalar parameters. */
  public long parameterCount() {
    return values.values().stream().mapToLong(v -> v.length).sum();
  }
}
