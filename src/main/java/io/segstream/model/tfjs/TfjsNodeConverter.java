package io.segstream.model.tfjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.NodeDef;

/**
 * Turns the nodes of a TF.js {@code modelTopology} back into TensorFlow {@link NodeDef}s.
 *
 * <p>The topology is a GraphDef in protobuf's JSON mapping (lowerCamelCase names, 64-bit integers as
 * strings, bytes in base64, enums such as {@code "DT_FLOAT"} by name, {@code {}} for an empty list), so
 * protobuf's {@link JsonFormat} reads each node. What stays here is what JsonFormat cannot know: a node
 * without a name or op, or an attr without any value (JsonFormat accepts both as empty messages, but
 * TensorFlow cannot import them) is refused with the node's name; the {@code device} placement is
 * dropped (so the graph runs wherever TensorFlow puts it), and so are attrs starting with an underscore
 * (optimizer hints such as {@code _grappler_*} that mean nothing to the runtime).
 */
public final class TfjsNodeConverter {

  // Fields newer TensorFlow versions add to NodeDef (e.g. debug info) do not matter for importing.
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private static final List<String> VALUE_FIELDS =
      List.of("s", "i", "f", "b", "type", "shape", "tensor", "list", "func", "placeholder");

  private TfjsNodeConverter() {}

  public static NodeDef toNodeDef(JsonNode node) {
    String name = node.path("name").asText();
    if (name.isEmpty() || node.path("op").asText().isEmpty()) {
      throw new IllegalArgumentException("model topology: a node has no name or no op: " + node);
    }
    NodeDef.Builder def = NodeDef.newBuilder();
    try {
      PARSER.merge(node.toString(), def);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("model topology: node '" + name + "': " + e.getMessage(), e);
    }
    def.clearDevice();
    for (Map.Entry<String, AttrValue> attr : Map.copyOf(def.getAttrMap()).entrySet()) {
      if (attr.getKey().startsWith("_")) {
        def.removeAttr(attr.getKey());
      } else if (attr.getValue().getValueCase() == AttrValue.ValueCase.VALUE_NOT_SET) {
        throw new IllegalArgumentException("attr " + name + "." + attr.getKey() + " has no value field"
            + " TensorFlow knows (" + String.join(", ", VALUE_FIELDS) + "): " + node.path("attr").path(attr.getKey()));
      }
    }
    return def.build();
  }
}
