package io.segstream.model;

import io.segstream.inference.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;

/**
 * Transfer learning from a segstream FCN (the FCN paper's fine-tuning, section 4.1): the new network
 * starts with the source's backbone (conv blocks, fc6, fc7) bit for bit, while every score layer
 * starts afresh for the new label set: class and skip scores at zero, upsampling bilinear. Zero scores
 * make a fresh net predict uniformly; the backbone's first gradients come once the scores move.
 *
 * @param source the model directory the backbone comes from
 * @param backbone the source's backbone parameters by name
 * @param width the source's base width, which the new network must share
 * @param freezeBackboneSteps steps during which only the score layers learn
 */
public record Transfer(Path source, Map<String, float[]> backbone, int width, int freezeBackboneSteps) {

  /** Parameter names of the layers {@link FcnBuilder} calls the backbone. */
  private static final Pattern BACKBONE = Pattern.compile("(conv\\d+_\\d+|fc6|fc7)/(kernel|bias)");
  private static final String FIRST_KERNEL = "conv1_1/kernel";

  public Transfer {
    if (freezeBackboneSteps < 0) {
      throw new IllegalArgumentException("frozen backbone steps must be >= 0");
    }
    backbone = Map.copyOf(backbone);
  }

  /** Whether parameter {@code name} belongs to the backbone. */
  public static boolean isBackbone(String name) {
    return BACKBONE.matcher(name).matches();
  }

  /**
   * Reads the backbone of the segstream FCN in {@code modelDir} (what {@code segstream train} wrote:
   * its weights are the graph's constants named like the parameters).
   */
  public static Transfer load(Path modelDir, int freezeBackboneSteps) throws IOException {
    ModelConfig.load(modelDir);
    if (!Files.isRegularFile(modelDir.resolve("saved_model.pb"))) {
      throw new IllegalArgumentException(modelDir + " has no saved_model.pb");
    }
    FrozenWeights source;
    try (SavedModelBundle bundle = SavedModelBundle.load(modelDir.toString(), "serve")) {
      List<String> names = new ArrayList<>();
      Iterator<GraphOperation> ops = bundle.graph().operations();
      while (ops.hasNext()) {
        GraphOperation op = ops.next();
        if (op.type().equals("Const") && isBackbone(op.name())) {
          names.add(op.name());
        }
      }
      if (!names.contains(FIRST_KERNEL)) {
        throw new IllegalArgumentException(modelDir + " is not a segstream FCN (no constant " + FIRST_KERNEL
            + "); --init-from takes a model that segstream train wrote");
      }
      source = FrozenWeights.fetch(bundle.session(), names, names);
    }
    Map<String, float[]> values = new LinkedHashMap<>();
    source.shapes().keySet().forEach(name -> values.put(name, source.values(name)));
    int width = Math.toIntExact(source.shapes().get(FIRST_KERNEL).get(3));
    return new Transfer(modelDir, values, width, freezeBackboneSteps);
  }

  /**
   * Starting values for a new network: the backbone, and zero class scores (skip scores start at
   * zero and upsampling bilinear in every {@link FcnBuilder} net already).
   */
  public Map<String, float[]> presets(FcnBuilder builder) {
    if (builder.width() != width) {
      throw new IllegalArgumentException("the network to train has width " + builder.width() + " but "
          + source + " has width " + width + "; a transferred backbone keeps its width");
    }
    Map<String, float[]> presets = new HashMap<>(backbone);
    int fc = 16 * width;
    presets.put(WeightSource.key("score_fr", "kernel"), new float[fc * builder.numClasses()]);
    return presets;
  }

  /** For checkpoint fingerprints. */
  public String describe() {
    return "init-from " + source.toAbsolutePath().normalize() + ",freeze" + freezeBackboneSteps;
  }
}
