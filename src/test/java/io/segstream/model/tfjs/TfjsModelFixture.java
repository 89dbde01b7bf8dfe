package io.segstream.model.tfjs;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small hand-made TF.js graph models (model.json + one shard) the way the TF.js converter does. */
final class TfjsModelFixture {

  private final JsonArray nodes = new JsonArray();
  private final JsonArray weights = new JsonArray();
  private final ByteArrayOutputStream shard = new ByteArrayOutputStream();
  private String input;
  private String output;

  /** A node in the converter's JSON form. */
  TfjsModelFixture node(String json) {
    nodes.add(JsonParser.parseString(json));
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
    JsonObject model = new JsonObject();
    model.addProperty("format", "graph-model");
    if (input != null) {
      model.add("signature", JsonParser.parseString(
          "{\"inputs\": {\"" + input + "\": {\"name\": \"" + input + "\"}},"
              + " \"outputs\": {\"" + output + "\": {\"name\": \"" + output + "\"}}}"));
    }
    JsonObject topology = new JsonObject();
    topology.add("node", nodes);
    model.add("modelTopology", topology);
    JsonObject group = new JsonObject();
    JsonArray paths = new JsonArray();
    paths.add("model.bin");
    group.add("paths", paths);
    group.add("weights", weights);
    JsonArray manifest = new JsonArray();
    manifest.add(group);
    model.add("weightsManifest", manifest);
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.bin"), shard.toByteArray());
    Path json = dir.resolve("model.json");
    Files.writeString(json, model.toString(), StandardCharsets.UTF_8);
    return json;
  }

  private TfjsModelFixture weight(
      String name, long[] shape, String dtype, String tfType, String quantization, ByteBuffer bytes) {
    JsonObject entry = new JsonObject();
    entry.addProperty("name", name);
    JsonArray dims = new JsonArray();
    StringBuilder tensorDims = new StringBuilder();
    for (long size : shape) {
      dims.add(size);
      tensorDims.append(tensorDims.length() == 0 ? "" : ",").append("{\"size\": \"").append(size).append("\"}");
    }
    entry.add("shape", dims);
    entry.addProperty("dtype", dtype);
    if (quantization != null) {
      entry.add("quantization", JsonParser.parseString(quantization));
    }
    weights.add(entry);
    shard.writeBytes(bytes.array());
    // The converter keeps the Const node but strips its contents into the manifest.
    return node("{\"name\": \"" + name + "\", \"op\": \"Const\", \"attr\": {"
        + "\"dtype\": {\"type\": \"" + tfType + "\"},"
        + "\"value\": {\"tensor\": {\"dtype\": \"" + tfType + "\", \"tensorShape\": {\"dim\": [" + tensorDims
        + "]}}}}}");
  }
}
