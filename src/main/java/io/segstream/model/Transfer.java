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
 * Transfer learning (the FCN paper's fine-tuning, section 4.1): the new network starts with a trained
 * backbone bit for bit, while every score layer starts afresh for the new label set: class and skip
 * scores at zero, upsampling bilinear. Zero scores make a fresh net predict uniformly; the backbone's
 * first gradients come once the scores move. The backbone comes from a segstream FCN (its VGG-style
 * conv blocks, fc6, fc7) or from a model imported from TF.js (its encoder, {@link TfjsEncoder}).
 *
 * @param source the model directory the backbone comes from
 * @param backbone the source's backbone parameters by name
 * @param network the backbone's layout
 * @param freezeBackboneSteps steps during which only the score layers learn
 */
public record Transfer(Path source, Map<String, float[]> backbone, FcnBackbone network, int freezeBackboneSteps) {

  /** Parameter names of the layers {@link VggBackbone} and {@link TfjsEncoder} create. */
  private static final Pattern BACKBONE =
      Pattern.compile("(conv\\d+_\\d+|fc6|fc7)/(kernel|bias)|encoder_[^/]+/[^/]+");
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
   * Reads the backbone of the model in {@code modelDir}: a segstream FCN (what {@code segstream train}
   * wrote: its weights are the graph's constants named like the parameters), or the encoder of a model
   * {@code segstream model import-tfjs} wrote.
   */
  public static Transfer load(Path modelDir, int freezeBackboneSteps) throws IOException {
    ModelConfig config = ModelConfig.load(modelDir);
    if (!Files.isRegularFile(modelDir.resolve("saved_model.pb"))) {
      throw new IllegalArgumentException(modelDir + " has no saved_model.pb");
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(modelDir.toString(), "serve")) {
      List<String> names = new ArrayList<>();
      Iterator<GraphOperation> ops = bundle.graph().operations();
      while (ops.hasNext()) {
        GraphOperation op = ops.next();
        if (op.type().equals("Const") && isBackbone(op.name())) {
          names.add(op.name());
        }
      }
      if (names.contains(FIRST_KERNEL)) {
        FrozenWeights source = FrozenWeights.fetch(bundle.session(), names, names);
        Map<String, float[]> values = new LinkedHashMap<>();
        source.shapes().keySet().forEach(name -> values.put(name, source.values(name)));
        int width = Math.toIntExact(source.shapes().get(FIRST_KERNEL).get(3));
        return new Transfer(modelDir, values, new VggBackbone(width), freezeBackboneSteps);
      }
      if (TfjsEncoder.isEncoderGraph(bundle.graph())) {
        Map<String, float[]> values = new LinkedHashMap<>();
        TfjsEncoder encoder = TfjsEncoder.read(config, bundle, values);
        return new Transfer(modelDir, values, encoder, freezeBackboneSteps);
      }
    }
    throw new IllegalArgumentException(modelDir + " is neither a segstream FCN (no constant " + FIRST_KERNEL
        + ") nor an imported TF.js model with a MobileNet-style encoder (no depthwise convolutions); --init-from"
        + " takes a model that segstream train or segstream model import-tfjs wrote");
  }

  /** The source's base width for a segstream FCN, 0 for an imported encoder (which has no width). */
  public int width() {
    return network instanceof VggBackbone vgg ? vgg.width() : 0;
  }

  /**
   * The network to train on this backbone.
   *
   * @param width the width asked for, which a segstream FCN's backbone must share; an encoder ignores it
   */
  public FcnBuilder builder(FcnVariant variant, int width, int numClasses) {
    if (network instanceof VggBackbone vgg && vgg.width() != width) {
      throw new IllegalArgumentException("the network to train has width " + width + " but " + source
          + " has width " + vgg.width() + "; a transferred backbone keeps its width");
    }
    return new FcnBuilder(variant, network, numClasses);
  }

  /**
   * Starting values for a new network: the backbone, and zero class scores (skip scores start at
   * zero and upsampling bilinear in every {@link FcnBuilder} net already).
   */
  public Map<String, float[]> presets(FcnBuilder builder) {
    if (builder.backbone() != network) {
      throw new IllegalArgumentException("the network to train is not built on the backbone of " + source);
    }
    Map<String, float[]> presets = new HashMap<>(backbone);
    presets.put(WeightSource.key(FcnBuilder.CLASS_SCORES, "kernel"),
        new float[network.deepestChannels() * builder.numClasses()]);
    return presets;
  }

  /** For checkpoint fingerprints. */
  public String describe() {
    return "init-from " + source.toAbsolutePath().normalize() + ",freeze" + freezeBackboneSteps;
  }
}
