package io.segstream.model.tfjs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.DataType;

class TfjsWeightsTest {

  @TempDir Path dir;

  @Test
  void halfFloatsDecodeExactly() {
    assertEquals(1f, TfjsWeights.halfToFloat(0x3c00));
    assertEquals(-2f, TfjsWeights.halfToFloat(0xc000));
    assertEquals(65504f, TfjsWeights.halfToFloat(0x7bff), "largest half");
    assertEquals(0x1p-14f, TfjsWeights.halfToFloat(0x0400), "smallest normal");
    assertEquals(0x1p-24f, TfjsWeights.halfToFloat(0x0001), "smallest subnormal");
    assertEquals(0x3ffp-24f, TfjsWeights.halfToFloat(0x03ff), "largest subnormal");
    assertEquals(0.33325195f, TfjsWeights.halfToFloat(0x3555));
    assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(TfjsWeights.halfToFloat(0x8000)));
    assertEquals(Float.POSITIVE_INFINITY, TfjsWeights.halfToFloat(0x7c00));
    assertEquals(Float.NEGATIVE_INFINITY, TfjsWeights.halfToFloat(0xfc00));
    assertTrue(Float.isNaN(TfjsWeights.halfToFloat(0x7e00)));
  }

  @Test
  void uint8CodesDequantizeAffinely() {
    float scale = 2f / 255;
    assertEquals(-1f, TfjsWeights.dequantize(0, scale, -1f));
    assertEquals(-1f + 128 * scale, TfjsWeights.dequantize(128, scale, -1f));
    assertEquals(1f, TfjsWeights.dequantize(255, scale, -1f), 1e-6f);
  }

  @Test
  void readsQuantizedAndPlainWeightsAcrossShardBoundaries() throws IOException {
    ByteBuffer bytes = ByteBuffer.allocate(4 * 2 + 2 * 3 + 4 + 1 + 4 * 2).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putFloat(1.5f).putFloat(-3f);                              // plain float32 [2]
    bytes.putShort((short) 0x3c00).putShort((short) 0xc000).putShort((short) 0x3555); // float16 [3]
    bytes.put((byte) 0).put((byte) 1).put((byte) 2).put((byte) 255); // uint8 [2,2], min -1, scale 0.5
    bytes.put((byte) 3);                                             // int32 as uint8: round(3*0.4+1)
    bytes.putInt(7).putInt(-9);                                      // plain int32 [2]
    // Split inside the float16 weight so the shards must be joined before decoding.
    Files.write(dir.resolve("group1-shard1of2.bin"), Arrays.copyOfRange(bytes.array(), 0, 11));
    Files.write(dir.resolve("group1-shard2of2.bin"), Arrays.copyOfRange(bytes.array(), 11, bytes.capacity()));
    JsonNode manifest = json("""
        [{"paths": ["group1-shard1of2.bin", "group1-shard2of2.bin"], "weights": [
          {"name": "plain", "shape": [2], "dtype": "float32"},
          {"name": "half", "shape": [3], "dtype": "float32",
           "quantization": {"dtype": "float16", "original_dtype": "float32"}},
          {"name": "bytes", "shape": [2, 2], "dtype": "float32",
           "quantization": {"dtype": "uint8", "min": -1.0, "scale": 0.5}},
          {"name": "count", "shape": [], "dtype": "int32",
           "quantization": {"dtype": "uint8", "min": 1.0, "scale": 0.4}},
          {"name": "sizes", "shape": [2], "dtype": "int32"}
        ]}]""");

    Map<String, TfjsWeights.Weight> weights = TfjsWeights.read(manifest, dir);

    assertArrayEquals(new float[] {1.5f, -3f}, weights.get("plain").floats());
    assertArrayEquals(new float[] {1f, -2f, 0.33325195f}, weights.get("half").floats());
    assertArrayEquals(new float[] {-1f, -0.5f, 0f, 126.5f}, weights.get("bytes").floats());
    assertArrayEquals(new long[] {2, 2}, weights.get("bytes").shape());
    assertEquals(DataType.DT_INT32, weights.get("count").dtype());
    assertEquals(2, ints(weights.get("count"))[0]);
    assertArrayEquals(new int[] {7, -9}, ints(weights.get("sizes")));
    assertEquals(DataType.DT_FLOAT, weights.get("half").toTensorProto().getDtype());
    assertEquals(3, weights.get("half").toTensorProto().getTensorShape().getDim(0).getSize());
  }

  @Test
  void shardsThatDoNotMatchTheManifestAreRejectedByName() throws IOException {
    Files.write(dir.resolve("w.bin"), new byte[6]);
    JsonNode tooShort = json("""
        [{"paths": ["w.bin"], "weights": [{"name": "kernel", "shape": [2], "dtype": "float32"}]}]
        """);
    IOException truncated = assertThrows(IOException.class, () -> TfjsWeights.read(tooShort, dir));
    assertTrue(truncated.getMessage().contains("kernel"), truncated.getMessage());

    JsonNode tooLong = json("""
        [{"paths": ["w.bin"], "weights": [{"name": "bias", "shape": [1], "dtype": "float32"}]}]
        """);
    IOException extra = assertThrows(IOException.class, () -> TfjsWeights.read(tooLong, dir));
    assertTrue(extra.getMessage().contains("2 bytes more"), extra.getMessage());

    JsonNode missing = json("""
        [{"paths": ["nope.bin"], "weights": []}]""");
    assertTrue(assertThrows(IOException.class, () -> TfjsWeights.read(missing, dir))
        .getMessage().contains("nope.bin"));
  }

  private static JsonNode json(String text) throws IOException {
    return TfjsGraphModel.JSON.readTree(text);
  }

  private static int[] ints(TfjsWeights.Weight weight) {
    ByteBuffer content = weight.content().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    int[] values = new int[content.remaining() / 4];
    content.asIntBuffer().get(values);
    return values;
  }
}
