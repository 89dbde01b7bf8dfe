package io.segstream.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Parameters as graph variables with seeded initial values. Each parameter's random stream depends on
 * the seed and its name only, so a layer starts the same whatever else the graph holds.
 */
public final class TrainableWeights implements WeightSource {

  private final long seed;
  private final Map<String, float[]> presets;
  private final Map<String, Variable<TFloat32>> variables = new LinkedHashMap<>();
  private final Map<String, Shape> shapes = new LinkedHashMap<>();

  public TrainableWeights(long seed) {
    this(seed, Map.of());
  }

  /**
   * @param presets starting values of some parameters by name (e.g. a pretrained backbone), used
   *     instead of their seeded initialisation
   */
  public TrainableWeights(long seed, Map<String, float[]> presets) {
    this.seed = seed;
    this.presets = Map.copyOf(presets);
  }

  @Override
  public Operand<TFloat32> parameter(Ops layerOps, String layer, String param, Shape shape, WeightInit init) {
    String name = WeightSource.key(layer, param);
    if (variables.containsKey(name)) {
      throw new IllegalArgumentException("parameter " + name + " defined twice");
    }
    float[] initial = presets.containsKey(name) ? presets.get(name)
        : init.values(shape, new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L)));
    if (initial.length != shape.size()) {
      throw new IllegalArgumentException("preset for " + name + " has " + initial.length + " values, shape " + shape
          + " needs " + shape.size());
    }
    Variable<TFloat32> variable =
        layerOps.withName(param).variable(layerOps.constant(shape, DataBuffers.of(initial, true, false)));
    variables.put(name, variable);
    shapes.put(name, shape);
    return variable;
  }

  /** The variables in creation order, by parameter name. */
  public Map<String, Variable<TFloat32>> variables() {
    return Collections.unmodifiableMap(variables);
  }

  /** The current values of all parameters in {@code session}, as constants for an inference graph. */
  public FrozenWeights freeze(Session session) {
    List<String> names = List.copyOf(variables.keySet());
    return FrozenWeights.fetch(session, names, names.stream().map(name -> variables.get(name).op().name()).toList());
  }
}
