package io.segstream.contracts.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;

/** Variants of the contract schemas, as another producer (or a careless edit) would register them. */
public final class SchemaEdits {

  private SchemaEdits() {}

  /** {@code schema}'s JSON with the type of its field {@code name} replaced by {@code type}. */
  public static String withFieldType(Schema schema, String name, String type) {
    try {
      ObjectNode json = (ObjectNode) new ObjectMapper().readTree(schema.toString());
      for (JsonNode field : json.withArray("fields")) {
        if (field.get("name").asText().equals(name)) {
          ((ObjectNode) field).put("type", type);
        }
      }
      return json.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
