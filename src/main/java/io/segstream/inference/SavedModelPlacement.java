package io.segstream.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

/**
 * Pins a SavedModel to one TensorFlow device by rewriting the device of its graph's nodes.
 *
 * <p>TensorFlow has no per-session default device: a loaded SavedModel runs on the first GPU whatever
 * device the DJL model was created for (tensorflow/java#380). The way around it is to place the nodes
 * themselves, the same trick TF-TRT uses. Nodes already placed on a CPU are left there; the rest go to
 * the target device, with soft placement falling back to the CPU for ops the device cannot run. The
 * rewritten graph is written to a temporary copy whose {@code variables} and {@code assets} link to the
 * original ones.
 */
final class SavedModelPlacement implements AutoCloseable {

  private static final String SAVED_MODEL_FILE = "saved_model.pb";

  private final Path dir;

  private SavedModelPlacement(Path dir) {
    this.dir = dir;
  }

  /** A copy of the SavedModel in {@code modelDir} whose nodes run on {@code tfDevice} ("/device:GPU:1"). */
  static SavedModelPlacement pin(Path modelDir, String tfDevice) throws IOException {
    SavedModel original = SavedModel.parseFrom(Files.readAllBytes(modelDir.resolve(SAVED_MODEL_FILE)));
    SavedModel.Builder placed = original.toBuilder();
    for (MetaGraphDef.Builder metaGraph : placed.getMetaGraphsBuilderList()) {
      GraphDef.Builder graph = metaGraph.getGraphDefBuilder();
      graph.getNodeBuilderList().forEach(node -> place(node, tfDevice));
      for (FunctionDef.Builder function : graph.getLibraryBuilder().getFunctionBuilderList()) {
        function.getNodeDefBuilderList().forEach(node -> place(node, tfDevice));
      }
    }
    Path dir = Files.createTempDirectory("segstream-model-" + tfDevice.replaceAll("[^A-Za-z0-9]", "_"));
    Files.write(dir.resolve(SAVED_MODEL_FILE), placed.build().toByteArray());
    for (String shared : new String[] {"variables", "assets"}) {
      Path source = modelDir.resolve(shared);
      if (Files.exists(source)) {
        Files.createSymbolicLink(dir.resolve(shared), source.toAbsolutePath());
      }
    }
    return new SavedModelPlacement(dir);
  }

  private static void place(NodeDef.Builder node, String tfDevice) {
    if (!node.getDevice().toUpperCase(Locale.ROOT).contains("CPU")) {
      node.setDevice(tfDevice);
    }
  }

  /** The directory to load instead of the original. */
  Path dir() {
    return dir;
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary copy is harmless.
    }
  }
}
