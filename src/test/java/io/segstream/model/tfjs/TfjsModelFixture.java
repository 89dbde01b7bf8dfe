package io.segstream.model.tfjs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small hand-made TF.js graph models (model.json + one shard) the way the TF.js converter does. */
final class TfjsModelFixture {

  private final ArrayNode nodes = TfjsGraphModel.JSON.createArrayNode();
  private final ArrayNode weights = TfjsGraphModel.JSON.createArrayNode();
  private final ByteArrayOutputStream shard = new ByteArrayOutputStream();
  private String input;
  private String output;

  /** A node in the converter's JSON form. */
  TfjsModelFixture node(String json) {
    nodes.add(parse(json));
    return this;
  }

  /** A float32 weight stored as float32. */
  TfjsModelFixture floats(String name, long[] shape, float... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      bytes.putFloat(value);
    }
    return weight(name, shape, "float32", "DT_FLOAT", null, bytes);
  }

  /** A float32 weight stored as float16 halves (bit patterns). */
  TfjsModelFixture halves(String name, long[] shape, int... halves) {
    ByteBuffer bytes = ByteBuffer.allocate(halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int half : halves) {
      bytes.putShort((short) half);
    }
    return weight(name, shape, "float32", "DT_FLOAT",
        "{\"dtype\": \"float16\", \"original_dtype\": \"float32\"}", bytes);
  }

  TfjsModelFixture ints(String name, long[] shape, int... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int value : values) {
      bytes.putInt(value);
    }
    return weight(name, shape, "int32", "DT_INT32", null, bytes);
  }

  TfjsModelFixture signature(String inputTensor, String outputTensor) {
    this.input = inputTensor;
    this.output = outputTensor;
    return this;
  }

  /** Writes {@code dir/model.json} and {@code dir/model.bin}; returns the model.json path. */
  Path write(Path dir) throws IOException {
    ObjectNode model = TfjsGraphModel.JSON.createObjectNode();
    model.put("format", "graph-model");
    if (input != null) {
      model.set("signature", parse(
          "{\"inputs\": {\"" + input + "\": {\"name\": \"" + input + "\"}},"
              + " \"outputs\": {\"" + output + "\": {\"name\": \"" + output + "\"}}}"));
    }
    model.putObject("modelTopology").set("node", nodes);
    ObjectNode group = model.putArray("weightsManifest").addObject();
    group.putArray("paths").add("model.bin");
    group.set("weights", weights);
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.bin"), shard.toByteArray());
    Path json = dir.resolve("model.json");
    Files.writeString(json, model.toString(), StandardCharsets.UTF_8);
    return json;
  }

  private TfjsModelFixture weight(
      String name, long[] shape, String dtype, String tfType, String quantization, ByteBuffer bytes) {
    ObjectNode entry = weights.addObject();
    entry.put("name", name);
    ArrayNode dims = entry.putArray("shape");
    StringBuilder tensorDims = new StringBuilder();
    for (long size : shape) {
      dims.add(size);
      tensorDims.append(tensorDims.length() == 0 ? "" : ",").append("{\"size\": \"").append(size).append("\"}");
    }
    entry.put("dtype", dtype);
    if (quantization != null) {
      entry.set("quantization", parse(quantization));
    }
    shard.writeBytes(bytes.array());
    // The converter keeps the Const node but strips its contents into the manifest.
    return node("{\"name\": \"" + name + "\", \"op\": \"Const\", \"attr\": {"
        + "\"dtype\": {\"type\": \"" + tfType + "\"},"
        + "\"value\": {\"tensor\": {\"dtype\": \"" + tfType + "\", \"tensorShape\": {\"dim\": [" + tensorDims
        + "]}}}}}");
  }

  private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
    try {
      return TfjsGraphModel.JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("fixture JSON: " + json, e);
    }
  }
}
