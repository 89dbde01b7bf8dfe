package io.segstream.model;

import io.segstream.inference.ModelConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * The encoder of a network imported from TF.js ({@code segstream model import-tfjs}), re-created op by op
 * as an {@link FcnBackbone} whose weights are parameters, so it can be fine-tuned end to end. Made for
 * MobileNetV3-style encoders such as MediaPipe's selfie model: Conv2D, DepthwiseConv2dNative, Add,
 * AddV2, AddN, Mul (hard-swish, squeeze-and-excitation), Relu, Relu6, Sigmoid and global AvgPool.
 *
 * <p>Feature maps: for every stride-2 convolution out of stride s (s >= 2), the block output at stride
 * s is the input of the 1x1 expansion convolution in front of it (an inverted residual block widens
 * its input before downsampling it); the deepest map is the last residual sum at the deepest stride.
 * These are the tensors the source's own decoder reads as skips (selfie: stride 4, 8 and 16; its
 * encoder goes no deeper than 16, where its LR-ASPP-like head starts). Only the ops these maps depend
 * on are re-created: the source's decoder is left behind.
 *
 * <p>Parameters: every float constant with more than one value (kernels, depthwise filters, biases),
 * named "encoder_LAYER/PARAM" from the constant's node name LAYER/PARAM. Scalar constants (hard-swish's
 * 3 and 1/6) stay constants. The source's squeeze-and-excitation pools are AvgPool ops whose window is
 * the whole map at the source's fixed input size; they become a mean over the map, which is the same
 * at that size and lets the encoder take any size, as an FCN does.
 *
 * <p>Input: the FCN feeds [0, 1] (pixel / 255); the encoder maps it to the range the imported model
 * was fed, {@code pixel * input.scale + input.offset} from its {@code segstream-model.properties}.
 */
public final class TfjsEncoder implements FcnBackbone {

  private static final Set<String> ELEMENTWISE = Set.of("Add", "AddV2", "AddN", "Mul");
  private static final Set<String> UNARY = Set.of("Identity", "Relu", "Relu6", "Sigmoid");
  private static final Set<String> CONVOLUTIONS = Set.of("Conv2D", "DepthwiseConv2dNative");
  /** Stride of a tensor that broadcasts over the map: a constant or a globally pooled [N, 1, 1, C]. */
  private static final int GLOBAL = 0;
  private static final int UNSUPPORTED = -1;

  /** A feature map of the source: the node computing it, its stride and channels. */
  record Endpoint(String node, int stride, int channels) {}

  private final String source;
  private final String inputNode;
  private final List<NodeDef> nodes;
  private final Map<String, Shape> parameterShapes;
  private final Map<String, String> parameterKeys;
  private final Map<String, float[]> fixedValues;
  private final Map<String, Shape> fixedShapes;
  private final List<Endpoint> endpoints;
  private final float inputFactor;
  private final float inputOffset;

  private TfjsEncoder(String source, String inputNode, List<NodeDef> nodes, Map<String, Shape> parameterShapes,
      Map<String, String> parameterKeys, Map<String, float[]> fixedValues, Map<String, Shape> fixedShapes,
      List<Endpoint> endpoints, float inputFactor, float inputOffset) {
    this.source = source;
    this.inputNode = inputNode;
    this.nodes = List.copyOf(nodes);
    this.parameterShapes = Map.copyOf(parameterShapes);
    this.parameterKeys = Map.copyOf(parameterKeys);
    this.fixedValues = Map.copyOf(fixedValues);
    this.fixedShapes = Map.copyOf(fixedShapes);
    this.endpoints = List.copyOf(endpoints);
    this.inputFactor = inputFactor;
    this.inputOffset = inputOffset;
  }

  /** Whether {@code graph} looks like an imported MobileNet-style model (it has depthwise convolutions). */
  static boolean isEncoderGraph(Graph graph) {
    var ops = graph.operations();
    while (ops.hasNext()) {
      if (ops.next().type().equals("DepthwiseConv2dNative")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads the encoder of the imported model loaded in {@code graph} / {@code session}.
   *
   * @param parameters receives the encoder's parameter values by name
   */
  static TfjsEncoder read(ModelConfig config, SavedModelBundle bundle, Map<String, float[]> parameters) {
    String source = config.modelDir().toString();
    Graph graph = bundle.graph();
    Session session = bundle.session();
    Map<String, NodeDef> byName = new LinkedHashMap<>();
    graph.toGraphDef().getNodeList().forEach(node -> byName.put(node.getName(), node));
    SignatureDef signature = bundle.metaGraphDef().getSignatureDefMap().get(config.signature());
    if (signature == null || !signature.containsInputs(config.inputName())) {
      throw new IllegalArgumentException(source + " has no signature " + config.signature() + " with input "
          + config.inputName());
    }
    String input = nodeName(signature.getInputsOrThrow(config.inputName()).getName());
    Shape inputShape = graph.operation(input).output(0).shape();
    Strides strides = new Strides(byName, input);
    byName.keySet().forEach(strides::of);

    // Block outputs: the expansion conv's input in front of each stride-2 convolution out of stride >= 2.
    Map<Integer, String> blockOutputs = new TreeMap<>();
    int deepest = 1;
    for (NodeDef node : byName.values()) {
      int stride = strides.of(node.getName());
      deepest = Math.max(deepest, stride);
      if (CONVOLUTIONS.contains(node.getOp()) && attrInts(node, "strides").get(1) == 2) {
        int before = strides.of(node.getInput(0));
        if (before >= 2) {
          blockOutputs.putIfAbsent(before, expansionInput(byName, node.getInput(0)));
        }
      }
    }
    String deepestNode = null;
    for (NodeDef node : byName.values()) {
      if (ELEMENTWISE.contains(node.getOp()) && node.getOp().startsWith("Add") && strides.of(node.getName()) == deepest
          && node.getInputList().stream().filter(in -> !isConst(byName, in)).count() >= 2) {
        deepestNode = node.getName();
      }
    }
    if (deepestNode == null || deepest < 8) {
      throw new IllegalArgumentException(source + " has no encoder FcnBuilder can use: the ops it can re-create"
          + " reach stride " + deepest + " (at least 8 needed, ending in a residual sum); the first ops it cannot"
          + " re-create: " + strides.unsupported.stream().limit(3).toList());
    }
    List<Endpoint> endpoints = new ArrayList<>();
    endpoints.add(endpoint(graph, deepestNode, deepest));
    for (int stride = deepest / 2; stride >= 4 && blockOutputs.containsKey(stride); stride /= 2) {
      endpoints.add(endpoint(graph, blockOutputs.get(stride), stride));
    }

    // The ops the maps depend on, inputs first.
    List<NodeDef> ordered = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (Endpoint endpoint : endpoints) {
      collect(byName, endpoint.node(), input, seen, ordered);
    }
    List<NodeDef> computed = new ArrayList<>();
    Map<String, Shape> parameterShapes = new LinkedHashMap<>();
    Map<String, String> parameterKeys = new LinkedHashMap<>();
    Map<String, Shape> fixedShapes = new LinkedHashMap<>();
    List<String> constants = new ArrayList<>();
    for (NodeDef node : ordered) {
      if (!node.getOp().equals("Const")) {
        checkSupported(node, strides, inputShape, source);
        computed.add(node);
        continue;
      }
      if (node.getAttrOrThrow("dtype").getType() != DataType.DT_FLOAT) {
        throw new IllegalArgumentException(source + ": encoder constant " + node.getName() + " is not float32");
      }
      constants.add(node.getName());
    }
    FrozenWeights values = FrozenWeights.fetch(session, constants, constants);
    Map<String, float[]> fixedValues = new LinkedHashMap<>();
    for (String constant : constants) {
      Shape shape = values.shapes().get(constant);
      if (shape.size() > 1) {
        String key = parameterKey(constant);
        if (parameterKeys.containsValue(key)) {
          throw new IllegalArgumentException(source + ": two encoder constants are both named " + key);
        }
        parameterKeys.put(constant, key);
        parameterShapes.put(key, shape);
        parameters.put(key, values.values(constant));
      } else {
        fixedShapes.put(constant, shape);
        fixedValues.put(constant, values.values(constant));
      }
    }
    float factor = (float) (config.inputScale() / ImageTensors.INPUT_SCALE);
    return new TfjsEncoder(source, input, computed, parameterShapes, parameterKeys, fixedValues, fixedShapes,
        endpoints, Math.abs(factor - 1) < 1e-6 ? 1f : factor, config.inputOffset());
  }

  /** The feature maps, deepest first: source node, stride, channels. */
  List<Endpoint> endpoints() {
    return endpoints;
  }

  /** Parameter names and shapes, as {@link WeightSource} keys. */
  public Map<String, Shape> parameterShapes() {
    return parameterShapes;
  }

  /** Name of the Identity in an {@link FcnBuilder} graph that holds the stride-{@code stride} map. */
  public static String featureName(int stride) {
    return "features_stride" + stride;
  }

  @Override
  public List<FeatureMap> build(Ops tf, WeightSource weights, Operand<TFloat32> image) {
    Ops encoder = tf.withSubScope("encoder");
    Operand<TFloat32> x = image;
    if (inputFactor != 1f) {
      x = encoder.math.mul(x, encoder.constant(inputFactor));
    }
    if (inputOffset != 0f) {
      x = encoder.math.add(x, encoder.constant(inputOffset));
    }
    Map<String, Operand<TFloat32>> tensors = new HashMap<>();
    tensors.put(inputNode, x);
    for (NodeDef node : nodes) {
      List<Operand<TFloat32>> inputs = new ArrayList<>();
      for (String in : node.getInputList()) {
        inputs.add(tensors.computeIfAbsent(nodeName(in), name -> constant(tf, weights, name)));
      }
      tensors.put(node.getName(), op(encoder, opName(node.getName()), node, inputs));
    }
    List<FeatureMap> maps = new ArrayList<>();
    for (Endpoint endpoint : endpoints) {
      Operand<TFloat32> features = tf.withName(featureName(endpoint.stride())).identity(tensors.get(endpoint.node()));
      maps.add(new FeatureMap("stride" + endpoint.stride(), endpoint.stride(), endpoint.channels(), features));
    }
    return maps;
  }

  @Override
  public int deepestStride() {
    return endpoints.get(0).stride();
  }

  @Override
  public int deepestChannels() {
    return endpoints.get(0).channels();
  }

  @Override
  public String describe() {
    StringBuilder text = new StringBuilder("encoder of the TF.js model " + source + " (features");
    endpoints.forEach(e -> text.append(' ').append(e.node()).append(" @").append(e.stride()));
    return text.append(')').toString();
  }

  private Operand<TFloat32> constant(Ops tf, WeightSource weights, String name) {
    String key = parameterKeys.get(name);
    if (key != null) {
      int slash = key.indexOf('/');
      String layer = key.substring(0, slash);
      return weights.parameter(tf.withSubScope(layer), layer, key.substring(slash + 1), parameterShapes.get(key),
          WeightInit.ZEROS);
    }
    float[] value = fixedValues.get(name);
    if (value == null) {
      throw new IllegalStateException("no value for encoder input " + name);
    }
    return tf.constant(fixedShapes.get(name), DataBuffers.of(value, true, false));
  }

  /** The op of {@code node}, named {@code name} in {@code scope}. */
  private static Operand<TFloat32> op(Ops scope, String name, NodeDef node, List<Operand<TFloat32>> in) {
    Ops tf = scope.withName(name);
    switch (node.getOp()) {
      case "Identity":
        return tf.identity(in.get(0));
      case "Conv2D":
        return tf.nn.conv2d(in.get(0), in.get(1), attrInts(node, "strides"), padding(node));
      case "DepthwiseConv2dNative":
        return tf.nn.depthwiseConv2dNative(in.get(0), in.get(1), attrInts(node, "strides"), padding(node));
      case "Add":
      case "AddV2":
        return tf.math.add(in.get(0), in.get(1));
      case "AddN":
        return tf.math.addN(in);
      case "Mul":
        return tf.math.mul(in.get(0), in.get(1));
      case "Relu":
        return tf.nn.relu(in.get(0));
      case "Relu6":
        return tf.nn.relu6(in.get(0));
      case "Sigmoid":
        return tf.math.sigmoid(in.get(0));
      case "AvgPool":
        return tf.math.mean(in.get(0), scope.constant(new int[] {1, 2}), Mean.keepDims(true));
      default:
        throw new IllegalStateException("unsupported encoder op " + node.getOp());
    }
  }

  /** Refuses ops the encoder cannot re-create faithfully. */
  private static void checkSupported(NodeDef node, Strides strides, Shape inputShape, String source) {
    String op = node.getOp();
    if (!UNARY.contains(op) && !ELEMENTWISE.contains(op) && !CONVOLUTIONS.contains(op) && !op.equals("AvgPool")) {
      throw new IllegalArgumentException(source + ": encoder op " + node.getName() + " is a " + op
          + ", which the TF.js encoder backbone does not re-create");
    }
    if (node.getInputList().stream().anyMatch(in -> in.startsWith("^") || (in.contains(":") && !in.endsWith(":0")))) {
      throw new IllegalArgumentException(source + ": encoder op " + node.getName() + " has control or secondary inputs");
    }
    if (CONVOLUTIONS.contains(op)) {
      List<Long> dilations = node.containsAttr("dilations") ? attrInts(node, "dilations") : List.of(1L, 1L, 1L, 1L);
      if (dilations.stream().anyMatch(d -> d != 1) || !dataFormat(node).equals("NHWC")) {
        throw new IllegalArgumentException(source + ": " + node.getName() + " is dilated or not NHWC");
      }
    }
    if (op.equals("AvgPool")) {
      List<Long> window = attrInts(node, "ksize");
      long stride = strides.of(node.getInput(0));
      boolean global = window.equals(attrInts(node, "strides")) && padding(node).equals("VALID")
          && inputShape.numDimensions() == 4 && window.get(1) * stride == inputShape.get(1)
          && window.get(2) * stride == inputShape.get(2);
      if (!global) {
        throw new IllegalArgumentException(source + ": " + node.getName() + " is an AvgPool that is not a global"
            + " pool at the model's input size " + inputShape + "; only global pools (squeeze-and-excitation) are re-created");
      }
    }
  }

  /** Follows a block's expansion (1x1 conv, bias, activation) back to the conv's input. */
  private static String expansionInput(Map<String, NodeDef> byName, String tensor) {
    NodeDef node = byName.get(nodeName(tensor));
    while (node != null && !node.getOp().equals("Conv2D")) {
      String next = null;
      for (String in : node.getInputList()) {
        if (!isConst(byName, in)) {
          next = in;
          break;
        }
      }
      node = next == null ? null : byName.get(nodeName(next));
    }
    if (node == null) {
      throw new IllegalArgumentException("no expansion convolution in front of " + tensor);
    }
    return nodeName(node.getInput(0));
  }

  private static void collect(Map<String, NodeDef> byName, String name, String input, Set<String> seen,
      List<NodeDef> ordered) {
    if (name.equals(input) || !seen.add(name)) {
      return;
    }
    NodeDef node = byName.get(name);
    for (String in : node.getInputList()) {
      collect(byName, nodeName(in), input, seen, ordered);
    }
    ordered.add(node);
  }

  private static Endpoint endpoint(Graph graph, String node, int stride) {
    GraphOperation op = graph.operation(node);
    return new Endpoint(node, stride, (int) op.output(0).shape().get(3));
  }

  /** The re-created op of source node {@code node} in an {@link FcnBuilder} graph: "encoder/NODE", '/' as '_'. */
  public static String opName(String node) {
    return node.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  /** "LAYER/PARAM" as "encoder_LAYER/PARAM", with characters scope names do not allow replaced. */
  static String parameterKey(String constant) {
    int slash = constant.lastIndexOf('/');
    String layer = slash < 0 ? constant : constant.substring(0, slash);
    String param = slash < 0 ? "value" : constant.substring(slash + 1);
    return "encoder_" + layer.replaceAll("[^A-Za-z0-9_.-]", "_") + "/" + param.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  private static boolean isConst(Map<String, NodeDef> byName, String tensor) {
    NodeDef node = byName.get(nodeName(tensor));
    return node != null && node.getOp().equals("Const");
  }

  private static String nodeName(String tensor) {
    String name = tensor.startsWith("^") ? tensor.substring(1) : tensor;
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }

  private static List<Long> attrInts(NodeDef node, String attr) {
    AttrValue value = node.getAttrOrDefault(attr, null);
    if (value == null) {
      throw new IllegalArgumentException(node.getName() + " has no " + attr);
    }
    return value.getList().getIList();
  }

  private static String padding(NodeDef node) {
    return node.getAttrOrThrow("padding").getS().toStringUtf8();
  }

  private static String dataFormat(NodeDef node) {
    AttrValue value = node.getAttrOrDefault("data_format", null);
    return value == null ? "NHWC" : value.getS().toStringUtf8();
  }

  /** Stride of each node's output, from the image's 1: GLOBAL for broadcast tensors, UNSUPPORTED past ops it cannot follow. */
  private static final class Strides {
    private final Map<String, NodeDef> byName;
    private final String input;
    private final Map<String, Integer> known = new HashMap<>();
    /** "op name (type)" of the ops past which strides cannot be followed, whose inputs could be. */
    final Set<String> unsupported = new LinkedHashSet<>();

    Strides(Map<String, NodeDef> byName, String input) {
      this.byName = byName;
      this.input = input;
    }

    int of(String tensor) {
      String name = nodeName(tensor);
      Integer stride = known.get(name);
      if (stride == null) {
        stride = compute(name);
        known.put(name, stride);
      }
      return stride;
    }

    private int compute(String name) {
      if (name.equals(input)) {
        return 1;
      }
      NodeDef node = byName.get(name);
      if (node == null) {
        return UNSUPPORTED;
      }
      String op = node.getOp();
      if (op.equals("Const") || op.equals("AvgPool")) {
        return GLOBAL;
      }
      if (CONVOLUTIONS.contains(op) || UNARY.contains(op) || ELEMENTWISE.contains(op)) {
        int stride = GLOBAL;
        for (String in : node.getInputList()) {
          int s = of(in);
          if (s == UNSUPPORTED) {
            return UNSUPPORTED;
          }
          stride = Math.max(stride, s);
        }
        if (CONVOLUTIONS.contains(op)) {
          List<Long> steps = attrInts(node, "strides");
          if (!steps.get(1).equals(steps.get(2))) {
            return UNSUPPORTED;
          }
          stride *= steps.get(1).intValue();
        }
        return stride;
      }
      if (node.getInputList().stream().allMatch(in -> of(in) != UNSUPPORTED)) {
        unsupported.add(name + " (" + op + ")");
      }
      return UNSUPPORTED;
    }
  }
}
