package io.segstream.model.tfjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.cli.SegstreamCli;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine;

class TfjsGraphModelImporterTest {

  @TempDir Path dir;

  /**
   * A tiny segmentation model in TF.js form with the traits of the selfie model: a fixed 4x4 input
   * with batch 1, a stride-2 Conv2D (filter [2, 0, 0]: twice the red channel, stored as float16), a
   * Conv2DBackpropInput upsampling back to the fixed size [1,4,4,1], and a one-channel sigmoid.
   */
  private Path tinyModel() throws IOException {
    return new TfjsModelFixture()
        .node("""
            {"name": "input_1", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"},
             "shape": {"shape": {"dim": [{"size": "1"}, {"size": "4"}, {"size": "4"}, {"size": "3"}]}}}}""")
        .halves("conv/filter", new long[] {1, 1, 3, 1}, 0x4000, 0, 0)
        .ints("up/input_sizes", new long[] {4}, 1, 4, 4, 1)
        .halves("up/filter", new long[] {2, 2, 1, 1}, 0x3c00, 0x3c00, 0x3c00, 0x3c00)
        .node("""
            {"name": "conv", "op": "Conv2D", "input": ["input_1", "conv/filter"], "device": "/device:CPU:0",
             "attr": {"T": {"type": "DT_FLOAT"}, "strides": {"list": {"i": ["1", "2", "2", "1"]}},
              "padding": {"s": "U0FNRQ=="}, "data_format": {"s": "TkhXQw=="},
              "dilations": {"list": {"i": ["1", "1", "1", "1"]}}, "explicit_paddings": {"list": {}},
              "use_cudnn_on_gpu": {"b": true}}}""")
        .node("""
            {"name": "up", "op": "Conv2DBackpropInput", "input": ["up/input_sizes", "up/filter", "conv"],
             "attr": {"T": {"type": "DT_FLOAT"}, "strides": {"list": {"i": ["1", "2", "2", "1"]}},
              "padding": {"s": "U0FNRQ=="}, "data_format": {"s": "TkhXQw=="},
              "dilations": {"list": {"i": ["1", "1", "1", "1"]}}, "explicit_paddings": {"list": {}},
              "use_cudnn_on_gpu": {"b": true}}}""")
        .node("""
            {"name": "mask", "op": "Sigmoid", "input": ["up"], "attr": {"T": {"type": "DT_FLOAT"}}}""")
        .signature("input_1:0", "mask:0")
        .write(dir.resolve("tfjs"));
  }

  @Test
  void exportsASavedModelAtTheSourceSizeWithAnyBatchAndTwoClassScores() throws Exception {
    Path out = dir.resolve("saved");
    TfjsGraphModelImporter.Result result = TfjsGraphModelImporter.importModel(
        TfjsGraphModelImporter.Request.of(tinyModel(), out, "tiny", "7", List.of("background", "person")));
    assertEquals(1, result.sourceOutputChannels());
    assertEquals(List.of(4, 4), List.of(result.sourceInputSize()[0], result.sourceInputSize()[1]));

    // Two 4x4 images (the source's fixed size; segstream fits frames to it, see FixedInputSize): red 0
    // everywhere, then red 1 everywhere (green, blue must not matter).
    try (SavedModelBundle bundle = SavedModelBundle.load(out.toString(), "serve");
        TFloat32 images = TFloat32.tensorOf(Shape.of(2, 4, 4, 3), data -> {
          for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
              // Every value set: tensorOf does not zero the memory.
              data.setFloat(0f, 0, y, x, 0);
              data.setFloat(0.3f, 0, y, x, 1);
              data.setFloat(0.6f, 0, y, x, 2);
              data.setFloat(1f, 1, y, x, 0);
              data.setFloat(0.2f, 1, y, x, 1);
              data.setFloat(0.9f, 1, y, x, 2);
            }
          }
        });
        Result scores = bundle.function(TfjsGraphModelImporter.SIGNATURE)
            .call(Map.of(TfjsGraphModelImporter.INPUT, images))) {
      TFloat32 probabilities = (TFloat32) scores.get(TfjsGraphModelImporter.OUTPUT).orElseThrow();
      assertEquals(Shape.of(2, 4, 4, 2), probabilities.shape());
      float person = (float) (1 / (1 + Math.exp(-2))); // sigmoid(2 * red)
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 4; x++) {
          assertEquals(0.5f, probabilities.getFloat(0, y, x, 0), 1e-6f);
          assertEquals(0.5f, probabilities.getFloat(0, y, x, 1), 1e-6f);
          assertEquals(1 - person, probabilities.getFloat(1, y, x, 0), 1e-6f);
          assertEquals(person, probabilities.getFloat(1, y, x, 1), 1e-6f);
        }
      }
    }

    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(out.resolve(TfjsGraphModelImporter.MODEL_PROPERTIES))) {
      props.load(in);
    }
    assertEquals("tiny", props.getProperty("name"));
    assertEquals("7", props.getProperty("version"));
    assertEquals("image", props.getProperty("input"));
    assertEquals("probabilities", props.getProperty("output"));
    assertEquals("none", props.getProperty("output.activation"));
    assertEquals(1.0 / 255, Double.parseDouble(props.getProperty("input.scale")), 1e-12);
    assertEquals("0", props.getProperty("input.offset"));
    assertEquals("background,person", props.getProperty("labels"));
    assertEquals("NHWC", props.getProperty("layout"));
    assertEquals("4x4", props.getProperty("input.size"));
    assertEquals("stretch", props.getProperty("input.resize"));
    assertEquals("bilinear", props.getProperty("output.resize"));
  }

  @Test
  void cliImportsAndReportsBadInputWithoutAStackTrace() throws Exception {
    Path out = dir.resolve("cli");
    CommandLine cli = new CommandLine(new SegstreamCli());
    assertEquals(0, cli.execute("model", "import-tfjs", "--model-json", tinyModel().toString(),
        "--out", out.toString(), "--name", "tiny", "--version", "2"));
    assertTrue(Files.isRegularFile(out.resolve("saved_model.pb")));
    assertTrue(Files.readString(out.resolve(TfjsGraphModelImporter.MODEL_PROPERTIES)).contains("version=2\n"));

    assertEquals(1, cli.execute("model", "import-tfjs", "--model-json", dir.resolve("absent.json").toString(),
        "--out", dir.resolve("never").toString(), "--name", "x"));
    assertTrue(Files.notExists(dir.resolve("never")));
  }

  @Test
  void labelsMustMatchTheOutputChannels() throws Exception {
    IOException e = assertThrows(IOException.class, () -> TfjsGraphModelImporter.importModel(
        TfjsGraphModelImporter.Request.of(tinyModel(), dir.resolve("out"), "tiny", "1", List.of("a", "b", "c"))));
    assertTrue(e.getMessage().contains("2 labels are needed"), e.getMessage());
  }

  @Test
  void layersModelsAreRejectedWithTheReason() throws Exception {
    Path json = dir.resolve("layers.json");
    Files.writeString(json, "{\"format\": \"layers-model\", \"modelTopology\": {\"class_name\": \"Sequential\"},"
        + " \"weightsManifest\": []}");
    IOException e = assertThrows(IOException.class, () -> TfjsGraphModelImporter.importModel(
        TfjsGraphModelImporter.Request.of(json, dir.resolve("out"), "m", "1", List.of("a", "b"))));
    assertTrue(e.getMessage().contains("not a TF.js graph model"), e.getMessage());
  }
}
