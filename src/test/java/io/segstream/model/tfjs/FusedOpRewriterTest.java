package io.segstream.model.tfjs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.segstream.inference.TensorFlowRuntime;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;

class FusedOpRewriterTest {

  private static final String CONV_ATTRS = """
      "T": {"type": "DT_FLOAT"}, "strides": {"list": {"i": ["1", "1", "1", "1"]}},
      "padding": {"s": "VkFMSUQ="}, "data_format": {"s": "TkhXQw=="},
      "dilations": {"list": {"i": ["1", "1", "1", "1"]}}, "explicit_paddings": {"list": {}}""";

  @TempDir Path dir;

  /** x: 1x1x2 pixels of 2 channels; one fused depthwise conv (BiasAdd, Relu6), one fused conv (BiasAdd, Prelu). */
  private Path fusedModel() throws Exception {
    return new TfjsModelFixture()
        .node("""
            {"name": "x", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"},
             "shape": {"shape": {"dim": [{"size": "1"}, {"size": "1"}, {"size": "2"}, {"size": "2"}]}}}}""")
        .floats("dw/filter", new long[] {1, 1, 2, 1}, 2f, 3f)
        .floats("dw/bias", new long[] {2}, 0.5f, -1f)
        .floats("conv/filter", new long[] {1, 1, 2, 1}, 1f, 1f)
        .floats("conv/bias", new long[] {1}, 0f)
        .floats("conv/alpha", new long[] {1}, 0.25f)
        .node("{\"name\": \"dw\", \"op\": \"FusedDepthwiseConv2dNative\", \"input\": [\"x\", \"dw/filter\", \"dw/bias\"],"
            + " \"attr\": {" + CONV_ATTRS + ", \"num_args\": {\"i\": \"1\"},"
            + " \"fused_ops\": {\"list\": {\"s\": [\"Qmlhc0FkZA==\", \"UmVsdTY=\"]}}}}")
        .node("{\"name\": \"conv\", \"op\": \"_FusedConv2D\","
            + " \"input\": [\"x\", \"conv/filter\", \"conv/bias\", \"conv/alpha\"],"
            + " \"attr\": {" + CONV_ATTRS + ", \"num_args\": {\"i\": \"2\"}, \"epsilon\": {\"f\": 0},"
            + " \"leakyrelu_alpha\": {\"f\": 0.2}, \"use_cudnn_on_gpu\": {\"b\": true},"
            + " \"fused_ops\": {\"list\": {\"s\": [\"Qmlhc0FkZA==\", \"UHJlbHU=\"]}}}}")
        .node("""
            {"name": "out", "op": "AddV2", "input": ["dw", "conv"], "attr": {"T": {"type": "DT_FLOAT"}}}""")
        .write(dir);
  }

  @Test
  void fusedOpsBecomeBaseOpBiasAddAndActivationKeepingTheName() throws Exception {
    Map<String, NodeDef> nodes = TfjsGraphModel.read(fusedModel()).nodes().stream()
        .collect(Collectors.toMap(NodeDef::getName, Function.identity()));

    NodeDef depthwise = nodes.get("dw/DepthwiseConv2dNative");
    assertEquals("DepthwiseConv2dNative", depthwise.getOp());
    assertEquals(List.of("x", "dw/filter"), depthwise.getInputList());
    assertFalse(depthwise.containsAttr("fused_ops"));
    assertFalse(depthwise.containsAttr("num_args"));
    assertEquals("VALID", depthwise.getAttrOrThrow("padding").getS().toStringUtf8());
    NodeDef biasAdd = nodes.get("dw/BiasAdd");
    assertEquals(List.of("dw/DepthwiseConv2dNative", "dw/bias"), biasAdd.getInputList());
    assertEquals("NHWC", biasAdd.getAttrOrThrow("data_format").getS().toStringUtf8());
    assertEquals("Relu6", nodes.get("dw").getOp());
    assertEquals(List.of("dw/BiasAdd"), nodes.get("dw").getInputList());
    assertEquals("Sub", nodes.get("conv").getOp(), "Prelu expands to relu(x) - alpha * relu(-x)");
    assertFalse(nodes.values().stream().anyMatch(node -> FusedOpRewriter.isFused(node.getOp())));
  }

  @Test
  void expandedGraphComputesWhatTheFusedOpsMean() throws Exception {
    TensorFlowRuntime.engine();
    TfjsGraphModel model = TfjsGraphModel.read(fusedModel());
    try (Graph graph = new Graph()) {
      graph.importGraphDef(GraphDef.newBuilder().addAllNode(model.nodes()).build());
      try (Session session = new Session(graph);
          TFloat32 x = TFloat32.tensorOf(Shape.of(1, 1, 2, 2), data -> {
            data.setFloat(1f, 0, 0, 0, 0);
            data.setFloat(-2f, 0, 0, 0, 1);
            data.setFloat(3f, 0, 0, 1, 0);
            data.setFloat(4f, 0, 0, 1, 1);
          });
          Result result = session.runner().feed("x", x).fetch("dw").fetch("conv").run()) {
        // Depthwise: [1*2+0.5, -2*3-1] = [2.5, -7] -> relu6 [2.5, 0]; [3*2+0.5, 4*3-1] = [6.5, 11] -> [6, 6].
        assertArrayEquals(new float[] {2.5f, 0f, 6f, 6f}, values((TFloat32) result.get(0)), 1e-6f);
        // Conv: 1-2 = -1 -> prelu -0.25; 3+4 = 7 -> 7.
        assertArrayEquals(new float[] {-0.25f, 7f}, values((TFloat32) result.get(1)), 1e-6f);
      }
    }
  }

  @Test
  void unsupportedFusionIsNamedInTheError() {
    NodeDef fused = NodeDef.newBuilder().setName("bn").setOp("_FusedConv2D").addInput("x").addInput("w")
        .addInput("scale")
        .putAttr("T", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
        .putAttr("fused_ops", AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder()
            .addS(ByteString.copyFromUtf8("FusedBatchNorm"))).build())
        .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FusedOpRewriter.rewrite(List.of(fused)));
    assertTrue(e.getMessage().contains("'bn'") && e.getMessage().contains("FusedBatchNorm"), e.getMessage());
  }

  private static float[] values(TFloat32 tensor) {
    float[] values = new float[(int) tensor.size()];
    tensor.asRawTensor().data().asFloats().read(values);
    return values;
  }
}
