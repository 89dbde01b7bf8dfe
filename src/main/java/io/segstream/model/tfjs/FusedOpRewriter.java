package io.segstream.model.tfjs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * Expands the fused ops the TF.js converter writes into plain TensorFlow ops.
 *
 * <p>{@code FusedDepthwiseConv2dNative} exists only in TF.js; {@code _FusedConv2D} and {@code
 * _FusedMatMul} exist in TensorFlow but lack kernels for some fusions TF.js emits (Prelu). All three
 * become the base op followed by one node per fused op ({@code BiasAdd}, then an activation), the last
 * node keeping the fused node's name so its consumers stay wired.
 */
public final class FusedOpRewriter {

  private static final Map<String, String> BASE_OPS =
      Map.of(
          "_FusedConv2D", "Conv2D",
          "FusedDepthwiseConv2dNative", "DepthwiseConv2dNative",
          "_FusedMatMul", "MatMul");

  /** Attrs describing the fusion; the base op does not know them. */
  private static final Set<String> FUSION_ATTRS =
      Set.of("fused_ops", "num_args", "epsilon", "leakyrelu_alpha", "num_host_args", "TArgs");

  private static final Set<String> PLAIN_ACTIVATIONS =
      Set.of("Relu", "Relu6", "Elu", "Selu", "Sigmoid", "Tanh");

  private FusedOpRewriter() {}

  public static boolean isFused(String op) {
    return BASE_OPS.containsKey(op);
  }

  public static List<NodeDef> rewrite(List<NodeDef> nodes) {
    List<NodeDef> result = new ArrayList<>(nodes.size());
    for (NodeDef node : nodes) {
      if (isFused(node.getOp())) {
        result.addAll(expand(node));
      } else {
        result.add(node);
      }
    }
    return result;
  }

  static List<NodeDef> expand(NodeDef fused) {
    String name = fused.getName();
    List<String> dataInputs = new ArrayList<>();
    List<String> controlInputs = new ArrayList<>();
    for (String input : fused.getInputList()) {
      (input.startsWith("^") ? controlInputs : dataInputs).add(input);
    }
    if (dataInputs.size() < 2) {
      throw new IllegalArgumentException(
          fused.getOp() + " node '" + name + "' has " + dataInputs.size() + " inputs, needs at least 2");
    }
    List<String> fusedOps = new ArrayList<>();
    AttrValue fusedOpsAttr = fused.getAttrOrDefault("fused_ops", AttrValue.getDefaultInstance());
    fusedOpsAttr.getList().getSList().forEach(op -> fusedOps.add(op.toStringUtf8()));
    AttrValue type = fused.getAttrOrThrow("T");

    NodeDef.Builder base = NodeDef.newBuilder()
        .setName(fusedOps.isEmpty() ? name : name + "/" + BASE_OPS.get(fused.getOp()))
        .setOp(BASE_OPS.get(fused.getOp()))
        .addInput(dataInputs.get(0))
        .addInput(dataInputs.get(1))
        .addAllInput(controlInputs);
    fused.getAttrMap().forEach((key, value) -> {
      if (!FUSION_ATTRS.contains(key)) {
        base.putAttr(key, value);
      }
    });

    List<NodeDef> nodes = new ArrayList<>();
    nodes.add(base.build());
    String previous = base.getName();
    int nextArg = 2;
    for (int i = 0; i < fusedOps.size(); i++) {
      String op = fusedOps.get(i);
      boolean last = i == fusedOps.size() - 1;
      String outName = last ? name : name + "/" + op;
      switch (op) {
        case "BiasAdd" -> {
          NodeDef.Builder biasAdd = node(outName, "BiasAdd", type, previous, argument(fused, dataInputs, nextArg++));
          if (fused.containsAttr("data_format")) {
            biasAdd.putAttr("data_format", fused.getAttrOrThrow("data_format"));
          }
          nodes.add(biasAdd.build());
        }
        case "LeakyRelu" -> nodes.add(node(outName, "LeakyRelu", type, previous)
            .putAttr("alpha", fused.getAttrOrDefault("leakyrelu_alpha", AttrValue.newBuilder().setF(0.2f).build()))
            .build());
        case "Prelu" -> nodes.addAll(prelu(outName, type, previous, argument(fused, dataInputs, nextArg++)));
        default -> {
          if (!PLAIN_ACTIVATIONS.contains(op)) {
            throw new IllegalArgumentException(
                fused.getOp() + " node '" + name + "' fuses " + op + ", which the importer cannot expand"
                    + " (supported: BiasAdd, Prelu, LeakyRelu, " + String.join(", ", PLAIN_ACTIVATIONS) + ")");
          }
          nodes.add(node(outName, op, type, previous).build());
        }
      }
      previous = outName;
    }
    return nodes;
  }

  /** prelu(x) = relu(x) - alpha * relu(-x), from ops every TensorFlow build has. */
  private static List<NodeDef> prelu(String name, AttrValue type, String x, String alpha) {
    String positive = name + "/prelu_positive";
    String negated = name + "/prelu_negated";
    String negativePart = name + "/prelu_negative_part";
    String scaled = name + "/prelu_scaled";
    return List.of(
        node(positive, "Relu", type, x).build(),
        node(negated, "Neg", type, x).build(),
        node(negativePart, "Relu", type, negated).build(),
        node(scaled, "Mul", type, alpha, negativePart).build(),
        node(name, "Sub", type, positive, scaled).build());
  }

  private static String argument(NodeDef fused, List<String> dataInputs, int index) {
    if (index >= dataInputs.size()) {
      throw new IllegalArgumentException(
          fused.getOp() + " node '" + fused.getName() + "' fuses more ops than it has arguments");
    }
    return dataInputs.get(index);
  }

  private static NodeDef.Builder node(String name, String op, AttrValue type, String... inputs) {
    NodeDef.Builder node = NodeDef.newBuilder().setName(name).setOp(op).putAttr("T", type);
    for (String input : inputs) {
      node.addInput(input);
    }
    return node;
  }
}
