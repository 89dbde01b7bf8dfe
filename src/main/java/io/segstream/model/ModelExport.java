package io.segstream.model;

import io.segstream.inference.ModelConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.Writer;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;

/**
 * Writes a trained FCN as a TensorFlow SavedModel holding only the inference graph, weights baked in
 * as constants (no variables, optimiser slots or training ops), plus {@value #CONFIG_FILE} describing
 * how to feed it.
 */
public final class ModelExport {

  public static final String CONFIG_FILE = ModelConfig.FILE_NAME;
  public static final String SIGNATURE = "serving_default";

  private ModelExport() {}

  /**
   * Exports to {@code dir} (created if needed). Files other than the SavedModel's and the config,
   * such as a model card, are left alone.
   */
  public static void export(FcnBuilder builder, FrozenWeights weights, Path dir, String name, String version,
      List<String> labels) throws IOException {
    if (labels.size() != builder.numClasses()) {
      throw new IllegalArgumentException(labels.size() + " labels for " + builder.numClasses() + " classes");
    }
    Files.createDirectories(dir);
    Path staging = Files.createTempDirectory(dir, ".export-");
    try {
      try (Graph graph = new Graph(); Session session = new Session(graph)) {
        FcnGraph net = builder.build(Ops.create(graph), weights);
        Signature signature = Signature.builder()
            .key(SIGNATURE)
            .input(FcnBuilder.INPUT, net.image())
            .output(FcnBuilder.PROBABILITIES, net.probabilities())
            .output(FcnBuilder.CLASSES, net.classes())
            .build();
        SavedModelBundle.exporter(staging.toString()).withSession(session).withSignature(signature).export();
      }
      try (var files = Files.list(staging)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Path target = dir.resolve(file.getFileName());
          deleteRecursively(target);
          Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } finally {
      deleteRecursively(staging);
    }
    writeConfig(dir.resolve(CONFIG_FILE), builder, name, version, labels);
  }

  private static void writeConfig(Path file, FcnBuilder builder, String name, String version,
      List<String> labels) throws IOException {
    for (String label : labels) {
      if (label.contains(",")) {
        throw new IllegalArgumentException("class label must not contain a comma: " + label);
      }
    }
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(ModelConfig.NAME, name);
    settings.put(ModelConfig.VERSION, version);
    settings.put(ModelConfig.INPUT, FcnBuilder.INPUT);
    settings.put(ModelConfig.OUTPUT, FcnBuilder.PROBABILITIES);
    settings.put(ModelConfig.CLASSES_OUTPUT, FcnBuilder.CLASSES);
    settings.put(ModelConfig.INPUT_SCALE, Double.toString(ImageTensors.INPUT_SCALE));
    settings.put(ModelConfig.INPUT_OFFSET, "0");
    settings.put(ModelConfig.LABELS, String.join(",", labels));
    settings.put(ModelConfig.LAYOUT, "NHWC");
    ModelConfig.write(file.getParent(), List.of(
        "segstream model config: how to feed the SavedModel in this directory.",
        String.format(Locale.ROOT,
            "FCN-%s (Long, Shelhamer, Darrell 2015), %s; input NHWC RGB float32 = pixel * scale + offset.",
            builder.variant().shortName(), builder.backbone().describe())),
        settings);
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
