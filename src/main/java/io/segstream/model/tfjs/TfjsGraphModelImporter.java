package io.segstream.model.tfjs;

import io.segstream.inference.ModelConfig;
import io.segstream.inference.TensorFlowRuntime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Imports a TF.js graph model ({@code model.json} + weight shards) as a SavedModel segstream serves.
 *
 * <p>The SavedModel's {@code serving_default} signature takes {@value #INPUT} [N,H,W,3] float32 (pixel
 * bytes times {@code inputScale} plus {@code inputOffset}, as {@code segstream-model.properties} says)
 * and returns {@value #OUTPUT} [N,H,W,C]: per-pixel class scores at the input's size. A model with a
 * fixed input size keeps it: {@code input.size} in the properties says so, and segstream fits frames
 * to it and brings masks back ({@link io.segstream.inference.FixedInputSize}). Around the imported
 * graph it adds:
 *
 * <ul>
 *   <li>a dynamic batch: the batch size baked into the source graph (input Placeholder, the output
 *       size of {@code Conv2DBackpropInput}, the leading size of a {@code Reshape}, as Keras' Dense on
 *       pooled features leaves it) is replaced by the input's batch size;
 *   <li>for a single-channel output p (a sigmoid mask), the two-class scores {@code [1 - p, p]}, so the
 *       contract "one score per class and pixel" holds.
 * </ul>
 */
public final class TfjsGraphModelImporter {

  public static final String INPUT = "image";
  public static final String OUTPUT = "probabilities";
  public static final String SIGNATURE = "serving_default";
  public static final String MODEL_PROPERTIES = ModelConfig.FILE_NAME;

  /** Node name scopes of what the importer adds; the source graph must not use them. */
  private static final String INPUT_SCOPE = "segstream_input";
  private static final String OUTPUT_SCOPE = "segstream_output";

  /** The size of the probe batch the importer runs before exporting (odd, so baked sizes show). */
  private static final long[] PROBE_SHAPE = {3, 37, 53, 3};

  /**
   * What to import and how to describe it.
   *
   * @param labels class labels; for a single-channel model, [negative, positive]
   * @param outputActivation "none" when the model outputs probabilities, "softmax" for logits
   * @param inputResize for a fixed-size model, {@code input.resize}: stretch or letterbox
   * @param outputResize for a fixed-size model, {@code output.resize}: bilinear or nearest
   */
  public record Request(
      Path modelJson,
      Path outDir,
      String name,
      String version,
      List<String> labels,
      double inputScale,
      double inputOffset,
      String outputActivation,
      String inputResize,
      String outputResize) {

    public Request {
      Objects.requireNonNull(modelJson, "modelJson");
      Objects.requireNonNull(outDir, "outDir");
      labels = List.copyOf(labels);
      if (name == null || name.isBlank() || version == null || version.isBlank()) {
        throw new IllegalArgumentException("model name and version must not be empty");
      }
      if (!outputActivation.equals("none") && !outputActivation.equals("softmax")) {
        throw new IllegalArgumentException(
            "output activation must be none or softmax, got '" + outputActivation + "'");
      }
    }

    /** Defaults for a TF.js image model: input in [0, 1], output probabilities. */
    public static Request of(Path modelJson, Path outDir, String name, String version, List<String> labels) {
      return new Request(modelJson, outDir, name, version, labels, 1.0 / 255, 0, "none", "stretch", "bilinear");
    }
  }

  /**
   * What was written.
   *
   * @param sourceInputSize the model's own [H, W], or null when it takes any size
   * @param sourceOutputChannels channels of the source graph's output (1 for a sigmoid mask)
   */
  public record Result(
      Path outDir, TfjsGraphModel model, int[] sourceInputSize, int sourceOutputChannels, List<String> labels) {}

  private TfjsGraphModelImporter() {}

  public static Result importModel(Request request) throws IOException {
    TensorFlowRuntime.engine();
    TfjsGraphModel model = TfjsGraphModel.read(request.modelJson());
    long[] shape = model.inputShape();
    if (shape.length != 4 || (shape[3] != 3 && shape[3] != -1)) {
      throw new IOException(request.modelJson() + ": input '" + model.inputNode() + "' has shape "
          + Arrays.toString(shape) + "; expected an NHWC RGB image [N,H,W,3]");
    }
    int[] fixedSize = shape[1] > 0 && shape[2] > 0 ? new int[] {(int) shape[1], (int) shape[2]} : null;

    try (Graph graph = new Graph()) {
      importWithInput(graph, model, fixedSize, request.modelJson());
      Output<TFloat32> image = graph.operation(INPUT_SCOPE + "/" + INPUT).output(0);
      Output<TFloat32> sourceOutput = sourceOutput(graph, model);
      int channels = (int) sourceOutput.shape().get(3);
      List<String> labels = request.labels();
      int classes = channels == 1 ? 2 : channels;
      if (channels < 1 || labels.size() != classes) {
        throw new IOException(request.modelJson() + ": the output has " + channels + " channel(s), so "
            + classes + " labels are needed; got " + labels.size() + " " + labels
            + (channels == 1 ? " (a single-channel mask p becomes [1 - p, p]: negative label first)" : ""));
      }
      if (channels == 1 && !request.outputActivation().equals("none")) {
        throw new IOException("a single-channel output is taken as a probability; softmax does not apply");
      }
      Operand<TFloat32> scores = addOutput(Ops.create(graph).withSubScope(OUTPUT_SCOPE), sourceOutput, channels);
      long[] probeShape = fixedSize == null
          ? PROBE_SHAPE
          : new long[] {PROBE_SHAPE[0], fixedSize[0], fixedSize[1], 3};
      try (Session session = new Session(graph)) {
        probe(session, image, scores, classes, probeShape);
        Files.createDirectories(request.outDir());
        Files.deleteIfExists(request.outDir().resolve(MODEL_PROPERTIES));
        SavedModelBundle.exporter(request.outDir().toString())
            .withSession(session)
            .withSignature(Signature.builder().key(SIGNATURE).input(INPUT, image).output(OUTPUT, scores).build())
            .export();
      }
      // Written last: a model folder counts as complete only once its properties exist.
      writeProperties(request, model, fixedSize, labels);
      return new Result(request.outDir(), model, fixedSize, channels, labels);
    }
  }

  /**
   * Imports the source graph into {@code graph} behind a new input: the Placeholder becomes an Identity
   * of {@code segstream_input/image}, and batch-sized constants follow its batch size.
   */
  private static void importWithInput(Graph graph, TfjsGraphModel model, int[] fixedSize, Path source)
      throws IOException {
    for (NodeDef node : model.nodes()) {
      if (node.getName().startsWith(INPUT_SCOPE + "/") || node.getName().startsWith(OUTPUT_SCOPE + "/")) {
        throw new IOException(source + ": node name '" + node.getName() + "' clashes with the importer's scope");
      }
    }
    Map<String, NodeDef> byName = new HashMap<>();
    model.nodes().forEach(node -> byName.put(node.getName(), node));
    long declaredBatch = model.inputShape()[0];

    GraphDef inputSide;
    Map<String, String> replacedSizes = new HashMap<>();
    String modelInput;
    try (Graph front = new Graph()) {
      Ops tf = Ops.create(front).withSubScope(INPUT_SCOPE);
      Placeholder<TFloat32> image = tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(
          fixedSize == null ? Shape.of(-1, -1, -1, 3) : Shape.of(-1, fixedSize[0], fixedSize[1], 3)));
      modelInput = image.op().name();
      Operand<TInt32> batch =
          tf.slice(tf.shape(image), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      for (NodeDef node : model.nodes()) {
        if (declaredBatch <= 0) {
          break;
        }
        if (node.getOp().equals("Conv2DBackpropInput")) {
          int[] sizes = int32Constant(byName.get(TfjsGraphModel.nodeName(node.getInput(0))));
          if (sizes != null && sizes.length == 4 && sizes[0] == declaredBatch) {
            Operand<TInt32> dynamic = tf.withName(node.getName().replace('/', '_') + "_input_sizes")
                .concat(List.of(batch, tf.constant(Arrays.copyOfRange(sizes, 1, 4))), tf.constant(0));
            replacedSizes.put(node.getName(), dynamic.op().name());
          }
        } else if (node.getOp().equals("Reshape")) {
          // Keras' Dense on pooled [N,1,1,C] features reshapes to [N, C] and back to [N,1,1,C] with N
          // baked in; -1 lets the batch through (the other sizes fix the element count per image).
          int[] sizes = int32Constant(byName.get(TfjsGraphModel.nodeName(node.getInput(1))));
          if (sizes != null && sizes.length >= 2 && sizes[0] == declaredBatch
              && Arrays.stream(sizes).noneMatch(size -> size < 0)) {
            int[] dynamicSizes = sizes.clone();
            dynamicSizes[0] = -1;
            Operand<TInt32> dynamic =
                tf.withName(node.getName().replace('/', '_') + "_shape").constant(dynamicSizes);
            replacedSizes.put(node.getName(), dynamic.op().name());
          }
        }
      }
      inputSide = front.toGraphDef();
    }

    GraphDef.Builder merged = GraphDef.newBuilder().setVersions(inputSide.getVersions());
    merged.addAllNode(inputSide.getNodeList());
    for (NodeDef node : model.nodes()) {
      if (node.getName().equals(model.inputNode())) {
        merged.addNode(NodeDef.newBuilder().setName(node.getName()).setOp("Identity").addInput(modelInput)
            .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build()));
      } else if (replacedSizes.containsKey(node.getName())) {
        int sizesInput = node.getOp().equals("Reshape") ? 1 : 0;
        merged.addNode(node.toBuilder().setInput(sizesInput, replacedSizes.get(node.getName())));
      } else {
        merged.addNode(node);
      }
    }
    try {
      graph.importGraphDef(merged.build());
    } catch (IllegalArgumentException e) {
      throw new IOException(source + ": TensorFlow rejected the converted graph: " + e.getMessage()
          + " (source ops: " + model.sourceOps().keySet() + ")", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> sourceOutput(Graph graph, TfjsGraphModel model) throws IOException {
    String tensor = model.outputTensor();
    GraphOperation op = graph.operation(TfjsGraphModel.nodeName(tensor));
    int index = Integer.parseInt(tensor.substring(tensor.indexOf(':') + 1));
    if (op == null || index >= op.numOutputs()) {
      throw new IOException("output tensor '" + tensor + "' is not in the graph");
    }
    Output<?> output = op.output(index);
    if (output.dataType() != DataType.DT_FLOAT || output.shape().numDimensions() != 4
        || output.shape().get(3) < 1) {
      throw new IOException("output '" + tensor + "' is " + output.dataType() + " " + output.shape()
          + "; expected float32 per-pixel scores [N,H,W,C] with a known C");
    }
    return (Output<TFloat32>) output;
  }

  private static Operand<TFloat32> addOutput(Ops tf, Operand<TFloat32> source, int channels) {
    Operand<TFloat32> scores = source;
    if (channels == 1) {
      scores = tf.concat(List.of(tf.math.sub(tf.constant(1f), scores), scores), tf.constant(3));
    }
    return tf.withName(OUTPUT).identity(scores);
  }

  /** Runs a batch of an odd size through the graph, so a broken import fails here, not when serving. */
  private static void probe(
      Session session, Operand<TFloat32> image, Operand<TFloat32> scores, int classes, long[] shape)
      throws IOException {
    // Zeros: a new tensor's memory is not cleared.
    try (TFloat32 input = TFloat32.tensorOf(Shape.of(shape), data -> data.scalars().forEach(s -> s.setFloat(0f)));
        var result = session.runner().feed(image, input).fetch(scores).run()) {
      Tensor out = result.get(0);
      Shape expected = Shape.of(shape[0], shape[1], shape[2], classes);
      if (!out.shape().equals(expected)) {
        throw new IOException("the imported graph maps a " + Shape.of(shape) + " input to "
            + out.shape() + ", expected " + expected);
      }
    } catch (RuntimeException e) {
      throw new IOException("the imported graph fails on a " + Shape.of(shape) + " input: "
          + e.getMessage(), e);
    }
  }

  /** The values of an int32 Const node, or null if it is not one. */
  private static int[] int32Constant(NodeDef node) {
    if (node == null || !node.getOp().equals("Const") || !node.containsAttr("value")) {
      return null;
    }
    TensorProto tensor = node.getAttrOrThrow("value").getTensor();
    if (tensor.getDtype() != DataType.DT_INT32) {
      return null;
    }
    if (!tensor.getTensorContent().isEmpty()) {
      ByteBuffer bytes = tensor.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      int[] values = new int[bytes.remaining() / Integer.BYTES];
      bytes.asIntBuffer().get(values);
      return values;
    }
    return tensor.getIntValList().stream().mapToInt(Integer::intValue).toArray();
  }

  private static void writeProperties(
      Request request, TfjsGraphModel model, int[] fixedSize, List<String> labels) throws IOException {
    List<String> comments = new ArrayList<>();
    comments.add("Imported from the TF.js graph model " + request.modelJson().toAbsolutePath().normalize()
        + " by segstream model import-tfjs.");
    if (fixedSize != null) {
      comments.add("The source model takes " + fixedSize[1] + "x" + fixedSize[0] + " (WxH) images only; segstream"
          + " fits each frame to that size (input.resize) and brings the mask back to the frame's size"
          + " (output.resize).");
    }
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(ModelConfig.NAME, request.name());
    settings.put(ModelConfig.VERSION, request.version());
    settings.put(ModelConfig.INPUT, INPUT);
    settings.put(ModelConfig.OUTPUT, OUTPUT);
    settings.put(ModelConfig.OUTPUT_ACTIVATION, request.outputActivation());
    settings.put(ModelConfig.SIGNATURE, SIGNATURE);
    settings.put(ModelConfig.INPUT_SCALE, Double.toString(request.inputScale()));
    settings.put(ModelConfig.INPUT_OFFSET, number(request.inputOffset()));
    settings.put(ModelConfig.LABELS, String.join(",", labels));
    settings.put(ModelConfig.LAYOUT, "NHWC");
    if (fixedSize != null) {
      settings.put(ModelConfig.INPUT_SIZE, fixedSize[1] + "x" + fixedSize[0]);
      settings.put(ModelConfig.INPUT_RESIZE, request.inputResize());
      settings.put(ModelConfig.OUTPUT_RESIZE, request.outputResize());
    }
    // Informational: ModelConfig ignores keys it does not know.
    settings.put("source.format", "tfjs-graph-model");
    settings.put("source.ops", model.sourceOps().entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue())
        .collect(Collectors.joining(",")));
    ModelConfig.write(request.outDir(), comments, settings);
  }

  private static String number(double value) {
    return value == Math.rint(value) ? String.format(Locale.ROOT, "%d", (long) value) : Double.toString(value);
  }
}
