package io.segstream.cli;

import io.segstream.model.tfjs.TfjsGraphModelImporter;
import io.segstream.model.tfjs.TfjsGraphModelImporter.Request;
import io.segstream.model.tfjs.TfjsGraphModelImporter.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code segstream model import-tfjs}: a TF.js graph model as a SavedModel with its properties. */
@Command(
    name = "import-tfjs",
    mixinStandardHelpOptions = true,
    description = {
      "Import a TF.js graph model (model.json + weight shards) as a SavedModel with segstream-model.properties.",
      "A model with a fixed input size keeps it (input.size in the properties): segstream fits each frame to it",
      "(--input-resize) and brings the mask back to the frame's size (--output-resize).",
      "A single-channel output p (a sigmoid mask) becomes two class scores [1 - p, p]."
    })
public final class ImportTfjsCommand implements Callable<Integer> {

  @Option(names = "--model-json", required = true, description = "The TF.js model.json; its weight shards lie beside it.")
  Path modelJson;

  @Option(names = "--out", required = true, description = "Folder to write the SavedModel and its properties to.")
  Path outDir;

  @Option(names = "--name", required = true, description = "Model name, carried on every mask.")
  String name;

  @Option(names = "--version", defaultValue = "1", description = "Model version (default: ${DEFAULT-VALUE}).")
  String version;

  @Option(names = "--labels", defaultValue = "background,person",
      description = "Class labels in class-id order, comma separated (default: ${DEFAULT-VALUE}).")
  String labels;

  @Option(names = "--input-scale", defaultValue = "0.00392156862745098",
      description = "Model input = pixel byte * scale + offset (default: ${DEFAULT-VALUE}, i.e. [0, 1]).")
  double inputScale;

  @Option(names = "--input-offset", defaultValue = "0", description = "See --input-scale (default: ${DEFAULT-VALUE}).")
  double inputOffset;

  @Option(names = "--output-activation", defaultValue = "none",
      description = "none: the output holds probabilities; softmax: logits (default: ${DEFAULT-VALUE}).")
  String outputActivation;

  @Option(names = "--input-resize", defaultValue = "stretch",
      description = "For a fixed-size model: stretch (fill the input) or letterbox (keep the aspect ratio); "
          + "default: ${DEFAULT-VALUE}.")
  String inputResize;

  @Option(names = "--output-resize", defaultValue = "bilinear",
      description = "For a fixed-size model: bilinear (scores resampled, then argmax) or nearest (class of the "
          + "nearest model pixel); default: ${DEFAULT-VALUE}.")
  String outputResize;

  @Override
  public Integer call() {
    try {
      List<String> labelList = Arrays.stream(labels.split(",")).map(String::trim).toList();
      Result result = TfjsGraphModelImporter.importModel(new Request(
          modelJson, outDir, name, version, labelList, inputScale, inputOffset, outputActivation, inputResize,
          outputResize));
      System.out.println("imported " + modelJson + " -> " + result.outDir().toAbsolutePath().normalize());
      System.out.println("  source ops: " + result.model().sourceOps());
      System.out.println("  source input: " + Arrays.toString(result.model().inputShape())
          + (result.sourceInputSize() == null ? "" : " (fixed: frames are fitted to it by segstream)"));
      System.out.println("  output: " + result.sourceOutputChannels() + " channel(s) -> classes " + result.labels());
      return 0;
    } catch (IOException | RuntimeException e) {
      // Malformed JSON, an unsupported op, a missing shard: the message says which; no stack trace.
      System.err.println("import-tfjs: " + e.getMessage());
      return 1;
    }
  }
}
