package io.segstream.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
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

  /**
   * The float tensors {@code opNames} computed in {@code session}, as parameters named {@code names}
   * (same order), with their shapes.
   */
  public static FrozenWeights fetch(Session session, List<String> names, List<String> opNames) {
    Session.Runner runner = session.runner();
    opNames.forEach(runner::fetch);
    Map<String, float[]> values = new LinkedHashMap<>();
    Map<String, Shape> shapes = new LinkedHashMap<>();
    try (Result result = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        TFloat32 tensor = (TFloat32) result.get(i);
        float[] data = new float[Math.toIntExact(tensor.size())];
        tensor.asRawTensor().data().asFloats().read(data);
        values.put(names.get(i), data);
        shapes.put(names.get(i), tensor.shape());
      }
    }
    return new FrozenWeights(values, shapes);
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
