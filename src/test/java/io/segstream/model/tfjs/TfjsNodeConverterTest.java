package io.segstream.model.tfjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;

class TfjsNodeConverterTest {

  @Test
  void convertsANodeAsTheTfjsConverterWritesIt() {
    NodeDef node = TfjsNodeConverter.toNodeDef(json("""
        {"name": "Conv2D", "op": "Conv2D", "input": ["input_1", "Conv2D/filter", "^init"],
         "device": "/device:CPU:0",
         "attr": {
           "T": {"type": "DT_FLOAT"},
           "padding": {"s": "U0FNRQ=="},
           "strides": {"list": {"i": ["1", "2", "2", "1"]}},
           "explicit_paddings": {"list": {}},
           "use_cudnn_on_gpu": {"b": true},
           "_grappler_ArithmeticOptimizer_MinimizeBroadcasts": {"b": true}
         }}"""));

    assertEquals("Conv2D", node.getName());
    assertEquals("Conv2D", node.getOp());
    assertEquals(List.of("input_1", "Conv2D/filter", "^init"), node.getInputList());
    assertEquals("", node.getDevice(), "placement is left to TensorFlow");
    assertEquals(DataType.DT_FLOAT, node.getAttrOrThrow("T").getType());
    assertEquals("SAME", node.getAttrOrThrow("padding").getS().toStringUtf8());
    assertEquals(List.of(1L, 2L, 2L, 1L), node.getAttrOrThrow("strides").getList().getIList());
    AttrValue empty = node.getAttrOrThrow("explicit_paddings");
    assertEquals(AttrValue.ValueCase.LIST, empty.getValueCase(), "an empty list is still a list");
    assertEquals(0, empty.getList().getICount());
    assertTrue(node.getAttrOrThrow("use_cudnn_on_gpu").getB());
    assertFalse(node.containsAttr("_grappler_ArithmeticOptimizer_MinimizeBroadcasts"));
  }

  @Test
  void convertsScalarShapeTensorAndListAttrs() {
    assertEquals(0.5f, attr("{\"f\": 0.5}").getF());
    assertTrue(Float.isNaN(attr("{\"f\": \"NaN\"}").getF()));
    assertEquals(Float.NEGATIVE_INFINITY, attr("{\"f\": \"-Infinity\"}").getF());
    assertEquals(-3L, attr("{\"i\": \"-3\"}").getI());
    assertEquals(DataType.DT_INT32, attr("{\"type\": \"DT_INT32\"}").getType());
    assertEquals(DataType.DT_INT32, attr("{\"type\": 3}").getType(), "enum by number");

    AttrValue shape = attr("{\"shape\": {\"dim\": [{\"size\": \"-1\"}, {\"size\": \"256\"}, {}]}}");
    assertEquals(-1, shape.getShape().getDim(0).getSize());
    assertEquals(256, shape.getShape().getDim(1).getSize());
    assertEquals(0, shape.getShape().getDim(2).getSize(), "proto3 JSON omits zero");
    assertTrue(attr("{\"shape\": {\"unknownRank\": true}}").getShape().getUnknownRank());

    TensorProto tensor = attr("""
        {"tensor": {"dtype": "DT_FLOAT", "tensorShape": {"dim": [{"size": "2"}]},
                    "floatVal": [1.5, "Infinity"]}}""").getTensor();
    assertEquals(DataType.DT_FLOAT, tensor.getDtype());
    assertEquals(2, tensor.getTensorShape().getDim(0).getSize());
    assertEquals(List.of(1.5f, Float.POSITIVE_INFINITY), tensor.getFloatValList());
    TensorProto content = attr("""
        {"tensor": {"dtype": "DT_INT32", "tensorShape": {}, "tensorContent": "BwAAAA=="}}""").getTensor();
    assertEquals(7, content.getTensorContent().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());

    AttrValue.ListValue list = attr("""
        {"list": {"s": ["Qmlhc0FkZA==", "UmVsdTY="], "type": ["DT_FLOAT", "DT_INT32"], "f": [0.25],
                  "b": [true, false], "shape": [{"dim": [{"size": "3"}]}]}}""").getList();
    assertEquals("BiasAdd", list.getS(0).toStringUtf8());
    assertEquals("Relu6", list.getS(1).toStringUtf8());
    assertEquals(List.of(DataType.DT_FLOAT, DataType.DT_INT32), list.getTypeList());
    assertEquals(List.of(0.25f), list.getFList());
    assertEquals(List.of(true, false), list.getBList());
    assertEquals(3, list.getShape(0).getDim(0).getSize());

    assertEquals("f", attr("{\"func\": {\"name\": \"f\", \"attr\": {\"T\": {\"type\": \"DT_FLOAT\"}}}}")
        .getFunc().getName());
  }

  @Test
  void rejectsWhatItCannotConvertWithTheAttrsName() {
    IllegalArgumentException unknownValue = assertThrows(IllegalArgumentException.class,
        () -> TfjsNodeConverter.toNodeDef(json("""
            {"name": "n", "op": "Relu", "attr": {"T": {"mystery": 1}}}""")));
    assertTrue(unknownValue.getMessage().contains("n.T"), unknownValue.getMessage());
    IllegalArgumentException unknownType = assertThrows(IllegalArgumentException.class,
        () -> attr("{\"type\": \"DT_FLOAT128\"}"));
    assertTrue(unknownType.getMessage().contains("DT_FLOAT128"));
    assertThrows(IllegalArgumentException.class, () -> TfjsNodeConverter.toNodeDef(json("{\"op\": \"Relu\"}")));
    IllegalArgumentException noValue = assertThrows(IllegalArgumentException.class,
        () -> TfjsNodeConverter.toNodeDef(json("""
            {"name": "n", "op": "Relu", "attr": {"T": {}}}""")));
    assertTrue(noValue.getMessage().contains("n.T"), noValue.getMessage());
  }

  /** One attr value, read as part of a node (the unit the converter reads). */
  private static AttrValue attr(String text) {
    return TfjsNodeConverter.toNodeDef(json("{\"name\": \"n\", \"op\": \"X\", \"attr\": {\"a\": " + text + "}}"))
        .getAttrOrThrow("a");
  }

  private static JsonNode json(String text) {
    try {
      return TfjsGraphModel.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(text, e);
    }
  }
}
