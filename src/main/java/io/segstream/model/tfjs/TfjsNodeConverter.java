package io.segstream.model.tfjs;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * Turns the nodes of a TF.js {@code modelTopology} back into TensorFlow {@link NodeDef}s.
 *
 * <p>The topology is a GraphDef written in protobuf's JSON mapping: field names in lowerCamelCase,
 * 64-bit integers as strings, bytes (attr {@code s}, {@code tensorContent}) in base64, enums by name,
 * and an empty message for an empty list. The converter reads that mapping back; it drops the
 * {@code device} placement (so the graph runs wherever TensorFlow puts it) and attrs starting with an
 * underscore (optimizer hints such as {@code _grappler_*} that mean nothing to the runtime).
 */
public final class TfjsNodeConverter {

  private TfjsNodeConverter() {}

  public static NodeDef toNodeDef(JsonObject node) {
    String name = requiredString(node, "name", "a node");
    NodeDef.Builder def = NodeDef.newBuilder().setName(name).setOp(requiredString(node, "op", name));
    if (node.has("input")) {
      for (JsonElement input : node.getAsJsonArray("input")) {
        def.addInput(input.getAsString());
      }
    }
    if (node.has("attr")) {
      for (Map.Entry<String, JsonElement> attr : node.getAsJsonObject("attr").entrySet()) {
        if (!attr.getKey().startsWith("_")) {
          def.putAttr(attr.getKey(), toAttrValue(name + "." + attr.getKey(), attr.getValue().getAsJsonObject()));
        }
      }
    }
    return def.build();
  }

  /** One attr value: exactly one of s, i, f, b, type, shape, tensor, list, func, placeholder. */
  public static AttrValue toAttrValue(String where, JsonObject json) {
    AttrValue.Builder value = AttrValue.newBuilder();
    if (json.has("list")) {
      AttrValue.ListValue.Builder list = AttrValue.ListValue.newBuilder();
      JsonObject items = json.getAsJsonObject("list");
      each(items, "s", item -> list.addS(bytes(item)));
      each(items, "i", item -> list.addI(item.getAsLong()));
      each(items, "f", item -> list.addF(floatValue(item)));
      each(items, "b", item -> list.addB(item.getAsBoolean()));
      each(items, "type", item -> list.addType(dataType(item)));
      each(items, "shape", item -> list.addShape(toShape(item.getAsJsonObject())));
      each(items, "tensor", item -> list.addTensor(toTensorProto(item.getAsJsonObject())));
      each(items, "func", item -> list.addFunc(toFunc(where, item.getAsJsonObject())));
      return value.setList(list).build();
    }
    if (json.has("s")) {
      return value.setS(bytes(json.get("s"))).build();
    }
    if (json.has("i")) {
      return value.setI(json.get("i").getAsLong()).build();
    }
    if (json.has("f")) {
      return value.setF(floatValue(json.get("f"))).build();
    }
    if (json.has("b")) {
      return value.setB(json.get("b").getAsBoolean()).build();
    }
    if (json.has("type")) {
      return value.setType(dataType(json.get("type"))).build();
    }
    if (json.has("shape")) {
      return value.setShape(toShape(json.getAsJsonObject("shape"))).build();
    }
    if (json.has("tensor")) {
      return value.setTensor(toTensorProto(json.getAsJsonObject("tensor"))).build();
    }
    if (json.has("func")) {
      return value.setFunc(toFunc(where, json.getAsJsonObject("func"))).build();
    }
    if (json.has("placeholder")) {
      return value.setPlaceholder(json.get("placeholder").getAsString()).build();
    }
    throw new IllegalArgumentException(
        "attr " + where + " has no value field TensorFlow knows (s, i, f, b, type, shape, tensor, list,"
            + " func, placeholder): " + json);
  }

  /** A tensor; TF.js strips the contents of weight Consts, which {@link TfjsWeights} fills back in. */
  public static TensorProto toTensorProto(JsonObject json) {
    TensorProto.Builder tensor = TensorProto.newBuilder();
    JsonElement dtype = field(json, "dtype", "dtype");
    if (dtype != null) {
      tensor.setDtype(dataType(dtype));
    }
    JsonElement shape = field(json, "tensorShape", "tensor_shape");
    if (shape != null) {
      tensor.setTensorShape(toShape(shape.getAsJsonObject()));
    }
    JsonElement content = field(json, "tensorContent", "tensor_content");
    if (content != null) {
      tensor.setTensorContent(bytes(content));
    }
    eachField(json, "floatVal", "float_val", item -> tensor.addFloatVal(floatValue(item)));
    eachField(json, "doubleVal", "double_val", item -> tensor.addDoubleVal(item.getAsDouble()));
    eachField(json, "intVal", "int_val", item -> tensor.addIntVal(item.getAsInt()));
    eachField(json, "int64Val", "int64_val", item -> tensor.addInt64Val(item.getAsLong()));
    eachField(json, "boolVal", "bool_val", item -> tensor.addBoolVal(item.getAsBoolean()));
    eachField(json, "stringVal", "string_val", item -> tensor.addStringVal(bytes(item)));
    eachField(json, "halfVal", "half_val", item -> tensor.addHalfVal(item.getAsInt()));
    return tensor.build();
  }

  /** A shape; a size of -1 is an unknown dimension. */
  public static TensorShapeProto toShape(JsonObject json) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    JsonElement unknownRank = field(json, "unknownRank", "unknown_rank");
    if (unknownRank != null && unknownRank.getAsBoolean()) {
      return shape.setUnknownRank(true).build();
    }
    each(json, "dim", dim -> {
      JsonObject d = dim.getAsJsonObject();
      TensorShapeProto.Dim.Builder builder = TensorShapeProto.Dim.newBuilder();
      // proto3 JSON omits a zero size.
      builder.setSize(d.has("size") ? d.get("size").getAsLong() : 0);
      if (d.has("name")) {
        builder.setName(d.get("name").getAsString());
      }
      shape.addDim(builder);
    });
    return shape.build();
  }

  /** A DataType written by name ("DT_FLOAT") or by number. */
  public static DataType dataType(JsonElement json) {
    String text = json.getAsString();
    DataType type;
    if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
      type = DataType.forNumber(Integer.parseInt(text));
    } else {
      try {
        type = DataType.valueOf(text);
      } catch (IllegalArgumentException e) {
        type = null;
      }
    }
    if (type == null || type == DataType.UNRECOGNIZED) {
      throw new IllegalArgumentException("unknown TensorFlow data type '" + text + "'");
    }
    return type;
  }

  private static NameAttrList toFunc(String where, JsonObject json) {
    NameAttrList.Builder func = NameAttrList.newBuilder().setName(json.get("name").getAsString());
    if (json.has("attr")) {
      for (Map.Entry<String, JsonElement> attr : json.getAsJsonObject("attr").entrySet()) {
        func.putAttr(attr.getKey(), toAttrValue(where + "." + attr.getKey(), attr.getValue().getAsJsonObject()));
      }
    }
    return func.build();
  }

  private static ByteString bytes(JsonElement base64) {
    return ByteString.copyFrom(Base64.getDecoder().decode(base64.getAsString()));
  }

  /** proto3 JSON writes non-finite floats as the strings "NaN", "Infinity", "-Infinity". */
  private static float floatValue(JsonElement json) {
    return json.getAsJsonPrimitive().isString()
        ? Float.parseFloat(json.getAsString())
        : json.getAsFloat();
  }

  private static JsonElement field(JsonObject json, String camelName, String snakeName) {
    return json.has(camelName) ? json.get(camelName) : json.get(snakeName);
  }

  private static void each(JsonObject json, String name, Consumer<JsonElement> action) {
    eachField(json, name, name, action);
  }

  private static void eachField(
      JsonObject json, String camelName, String snakeName, Consumer<JsonElement> action) {
    JsonElement items = field(json, camelName, snakeName);
    if (items != null) {
      JsonArray array = items.getAsJsonArray();
      array.forEach(action);
    }
  }

  private static String requiredString(JsonObject json, String key, String what) {
    JsonElement value = json.get(key);
    if (value == null || !value.isJsonPrimitive()) {
      throw new IllegalArgumentException("model topology: " + what + " has no '" + key + "': " + json);
    }
    return value.getAsString();
  }
}
