package io.segstream.model.tfjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;

/**
 * The weights of a TF.js graph model, decoded from its {@code weightsManifest} and binary shards.
 *
 * <p>The manifest is a list of groups; the shards ({@code paths}) of one group form one byte stream in
 * which the group's weights follow each other in manifest order, little-endian. A weight may be
 * quantized: {@code float16} halves, or {@code uint8}/{@code uint16} codes {@code q} standing for
 * {@code q * scale + min}. Everything is decoded to what TensorFlow expects in a Const node: float32 for
 * float weights, int32 for int weights.
 */
public final class TfjsWeights {

  /** One decoded weight: TensorFlow type, shape and little-endian {@code tensor_content}. */
  public record Weight(String name, DataType dtype, long[] shape, ByteString content) {

    public TensorProto toTensorProto() {
      TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
      for (long size : shape) {
        dims.addDim(TensorShapeProto.Dim.newBuilder().setSize(size));
      }
      return TensorProto.newBuilder()
          .setDtype(dtype)
          .setTensorShape(dims)
          .setTensorContent(content)
          .build();
    }

    /** The values of a float weight (for tests and diagnostics). */
    public float[] floats() {
      if (dtype != DataType.DT_FLOAT) {
        throw new IllegalStateException(name + " is " + dtype + ", not DT_FLOAT");
      }
      float[] values = new float[content.size() / Float.BYTES];
      content.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
      return values;
    }
  }

  private TfjsWeights() {}

  /** Reads every group of {@code manifest}; shard paths are relative to {@code baseDir}. */
  public static Map<String, Weight> read(JsonNode manifest, Path baseDir) throws IOException {
    Map<String, Weight> weights = new LinkedHashMap<>();
    for (JsonNode group : manifest) {
      ByteBuffer stream = readShards(group.path("paths"), baseDir);
      for (JsonNode entry : group.path("weights")) {
        Weight weight = decode(entry, stream);
        if (weights.put(weight.name(), weight) != null) {
          throw new IOException("weights manifest lists '" + weight.name() + "' twice");
        }
      }
      if (stream.hasRemaining()) {
        throw new IOException(
            "weight shards " + group.path("paths") + " hold " + stream.remaining()
                + " bytes more than the manifest describes: manifest and shards do not match");
      }
    }
    return weights;
  }

  private static ByteBuffer readShards(JsonNode paths, Path baseDir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (JsonNode path : paths) {
      Path shard = baseDir.resolve(path.asText());
      if (!Files.isRegularFile(shard)) {
        throw new IOException("weight shard " + shard.toAbsolutePath() + " named in the manifest is missing");
      }
      bytes.write(Files.readAllBytes(shard));
    }
    return ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Decodes one manifest entry from the current position of {@code stream}, advancing it. */
  static Weight decode(JsonNode entry, ByteBuffer stream) throws IOException {
    String name = entry.path("name").asText();
    String dtype = entry.path("dtype").asText();
    JsonNode dims = entry.path("shape");
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i).asLong();
    }
    int count = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
    JsonNode quantization = entry.get("quantization");
    String storedAs = quantization == null ? dtype : quantization.path("dtype").asText();
    int storedBytes = Math.multiplyExact(count, bytesPerValue(name, storedAs));
    if (stream.remaining() < storedBytes) {
      throw new IOException(
          "weight '" + name + "' needs " + storedBytes + " bytes but the shards end after "
              + stream.remaining() + ": shards are truncated or do not belong to this manifest");
    }
    ByteBuffer stored = stream.slice().order(ByteOrder.LITTLE_ENDIAN).limit(storedBytes);
    stream.position(stream.position() + storedBytes);

    DataType tfType = tensorFlowType(name, dtype);
    ByteBuffer decoded = ByteBuffer.allocate(count * (tfType == DataType.DT_BOOL ? 1 : 4))
        .order(ByteOrder.LITTLE_ENDIAN);
    if (quantization == null) {
      decoded.put(stored);
    } else if (storedAs.equals("float16")) {
      if (tfType != DataType.DT_FLOAT) {
        throw new IOException("weight '" + name + "': float16 quantization of " + dtype + " is not defined");
      }
      for (int i = 0; i < count; i++) {
        decoded.putFloat(halfToFloat(stored.getShort()));
      }
    } else {
      float min = floatValue(quantization.path("min"));
      float scale = floatValue(quantization.path("scale"));
      boolean wide = storedAs.equals("uint16");
      for (int i = 0; i < count; i++) {
        int code = wide ? Short.toUnsignedInt(stored.getShort()) : Byte.toUnsignedInt(stored.get());
        float value = dequantize(code, scale, min);
        if (tfType == DataType.DT_INT32) {
          decoded.putInt(Math.round(value));
        } else if (tfType == DataType.DT_FLOAT) {
          decoded.putFloat(value);
        } else {
          throw new IOException("weight '" + name + "': " + storedAs + " quantization of " + dtype
              + " is not defined");
        }
      }
    }
    decoded.flip();
    return new Weight(name, tfType, shape, ByteString.copyFrom(decoded));
  }

  /** A float32 rounded once from its decimal text (the manifest is read with BigDecimal floats). */
  private static float floatValue(JsonNode number) {
    return Float.parseFloat(number.asText());
  }

  /** Affine dequantization as TF.js does it: {@code code * scale + min}. */
  public static float dequantize(int code, float scale, float min) {
    return code * scale + min;
  }

  /** IEEE 754 binary16 (low 16 bits of {@code bits}) to float32, exactly. */
  public static float halfToFloat(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0x1f) {
      // Infinity, or NaN with the payload kept.
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      // Zero or subnormal: mantissa * 2^-24; exact in float32.
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    // Normal: rebias the exponent from 15 to 127 and widen the mantissa from 10 to 23 bits.
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  private static int bytesPerValue(String weight, String dtype) throws IOException {
    return switch (dtype) {
      case "float32", "int32" -> 4;
      case "float16", "uint16" -> 2;
      case "uint8", "bool" -> 1;
      default -> throw new IOException("weight '" + weight + "' has unsupported dtype '" + dtype + "'");
    };
  }

  private static DataType tensorFlowType(String weight, String dtype) throws IOException {
    return switch (dtype) {
      case "float32" -> DataType.DT_FLOAT;
      case "int32" -> DataType.DT_INT32;
      case "bool" -> DataType.DT_BOOL;
      default -> throw new IOException(
          "weight '" + weight + "' has unsupported dtype '" + dtype + "' (float32, int32, bool are)");
    };
  }
}
