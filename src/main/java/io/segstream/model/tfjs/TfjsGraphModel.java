package io.segstream.model.tfjs;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorShapeProto;

/**
 * A TF.js graph model read from its {@code model.json} and weight shards: plain TensorFlow nodes with
 * the weights back in their Const nodes and TF.js-only fused ops expanded.
 *
 * @param nodes the graph, ready for {@code Graph.importGraphDef}
 * @param inputNode the image Placeholder
 * @param inputShape the Placeholder's declared shape (-1 for an unknown dimension; empty if unknown rank)
 * @param outputTensor the tensor the model's signature outputs, as {@code node:index}
 * @param sourceOps how often each op type occurs in model.json, before any rewrite
 */
public record TfjsGraphModel(
    List<NodeDef> nodes,
    String inputNode,
    long[] inputShape,
    String outputTensor,
    SortedMap<String, Integer> sourceOps) {

  /** Floats kept as written (BigDecimal), so a float32 value is rounded once, from its decimal text. */
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  public TfjsGraphModel {
    nodes = List.copyOf(nodes);
  }

  public static TfjsGraphModel read(Path modelJson) throws IOException {
    if (!Files.isRegularFile(modelJson)) {
      throw new IOException("TF.js model file " + modelJson.toAbsolutePath() + " does not exist");
    }
    JsonNode model;
    try {
      model = JSON.readTree(modelJson.toFile());
    } catch (JacksonException e) {
      throw new IOException(modelJson + " is not JSON: " + e.getOriginalMessage(), e);
    }
    if (!model.isObject()) {
      throw new IOException(modelJson + " is not a JSON object");
    }
    String format = model.path("format").asText("graph-model");
    if (!format.equals("graph-model") || !model.path("modelTopology").path("node").isArray()) {
      throw new IOException(
          modelJson + " is not a TF.js graph model (format '" + format + "'; a graph model has"
              + " modelTopology.node; Keras layers models are not supported)");
    }
    if (!model.path("weightsManifest").isArray()) {
      throw new IOException(modelJson + " has no weightsManifest");
    }
    Path baseDir = modelJson.toAbsolutePath().getParent();
    Map<String, TfjsWeights.Weight> weights = TfjsWeights.read(model.get("weightsManifest"), baseDir);
    return fromJson(model, weights, modelJson.toString());
  }

  /** Builds the model from parsed model.json and decoded weights; {@code source} names it in errors. */
  static TfjsGraphModel fromJson(
      JsonNode model, Map<String, TfjsWeights.Weight> weights, String source) throws IOException {
    SortedMap<String, Integer> ops = new TreeMap<>();
    List<NodeDef> nodes = new ArrayList<>();
    Set<String> unusedWeights = new HashSet<>(weights.keySet());
    for (JsonNode element : model.path("modelTopology").path("node")) {
      NodeDef node = TfjsNodeConverter.toNodeDef(element);
      ops.merge(node.getOp(), 1, Integer::sum);
      TfjsWeights.Weight weight = weights.get(node.getName());
      if (weight != null) {
        if (!node.getOp().equals("Const")) {
          throw new IOException(source + ": weight '" + node.getName() + "' belongs to a " + node.getOp()
              + " node, expected Const");
        }
        node = node.toBuilder()
            .putAttr("dtype", AttrValue.newBuilder().setType(weight.dtype()).build())
            .putAttr("value", AttrValue.newBuilder().setTensor(weight.toTensorProto()).build())
            .build();
        unusedWeights.remove(node.getName());
      }
      nodes.add(node);
    }
    if (!unusedWeights.isEmpty()) {
      throw new IOException(source + ": weights without a Const node: " + new TreeSet<>(unusedWeights));
    }
    nodes = FusedOpRewriter.rewrite(nodes);

    NodeDef input = inputPlaceholder(model, nodes, source);
    long[] inputShape = new long[0];
    AttrValue shape = input.getAttrOrDefault("shape", null);
    if (shape != null && !shape.getShape().getUnknownRank()) {
      inputShape = shape.getShape().getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
    }
    if (input.containsAttr("dtype") && input.getAttrOrThrow("dtype").getType() != DataType.DT_FLOAT) {
      throw new IOException(source + ": input '" + input.getName() + "' is "
          + input.getAttrOrThrow("dtype").getType() + "; only float image inputs are supported");
    }
    return new TfjsGraphModel(nodes, input.getName(), inputShape, outputTensor(model, nodes, source), ops);
  }

  /** The Placeholder the signature names, or the graph's only Placeholder. */
  private static NodeDef inputPlaceholder(JsonNode model, List<NodeDef> nodes, String source)
      throws IOException {
    List<String> named = signatureTensors(model, "inputs");
    List<NodeDef> placeholders =
        nodes.stream().filter(node -> node.getOp().equals("Placeholder")).toList();
    if (named.size() > 1 || (named.isEmpty() && placeholders.size() != 1)) {
      throw new IOException(source + ": expected one image input, found "
          + (named.isEmpty() ? placeholders.size() + " Placeholders" : named));
    }
    String wanted = named.isEmpty() ? placeholders.get(0).getName() : nodeName(named.get(0));
    return placeholders.stream()
        .filter(node -> node.getName().equals(wanted))
        .findFirst()
        .orElseThrow(() -> new IOException(source + ": input '" + wanted + "' is not a Placeholder"));
  }

  /** The tensor the signature outputs, or the output of the only node nothing consumes. */
  private static String outputTensor(JsonNode model, List<NodeDef> nodes, String source)
      throws IOException {
    List<String> named = signatureTensors(model, "outputs");
    if (named.size() == 1) {
      return named.get(0).contains(":") ? named.get(0) : named.get(0) + ":0";
    }
    if (named.size() > 1) {
      throw new IOException(source + ": expected one output, the signature has " + named);
    }
    Set<String> consumed = new HashSet<>();
    nodes.forEach(node -> node.getInputList().forEach(input -> consumed.add(nodeName(input))));
    List<String> sinks = nodes.stream()
        .filter(node -> !consumed.contains(node.getName()) && !node.getOp().equals("Const"))
        .map(NodeDef::getName)
        .toList();
    if (sinks.size() != 1) {
      throw new IOException(source + ": no signature and " + sinks.size()
          + " candidate outputs (nodes nothing consumes): " + sinks);
    }
    return sinks.get(0) + ":0";
  }

  private static List<String> signatureTensors(JsonNode model, String kind) {
    List<String> names = new ArrayList<>();
    model.path("signature").path(kind).fields().forEachRemaining(entry ->
        names.add(entry.getValue().path("name").asText(entry.getKey())));
    return names;
  }

  /** "node:1" or "^node" to "node". */
  static String nodeName(String tensor) {
    String name = tensor.startsWith("^") ? tensor.substring(1) : tensor;
    int colon = name.indexOf(':');
    return colon < 0 ? name : name.substring(0, colon);
  }
}
