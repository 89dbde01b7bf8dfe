package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

  @TempDir Path dir;

  private static Properties minimal() {
    Properties props = new Properties();
    props.setProperty("name", "fcn-default");
    props.setProperty("version", "3");
    props.setProperty("input", "image");
    props.setProperty("output", "probabilities");
    props.setProperty("input.scale", "1/255");
    props.setProperty("input.offset", "0");
    props.setProperty("labels", "background, circle,square ,triangle");
    return props;
  }

  private Path write(Properties props) throws IOException {
    try (Writer out = Files.newBufferedWriter(dir.resolve(ModelConfig.FILE_NAME))) {
      props.store(out, null);
    }
    return dir;
  }

  @Test
  void readsAFullFile() throws IOException {
    Properties props = minimal();
    props.setProperty("classes.output", "classes");
    props.setProperty("output.activation", "SoftMax");
    props.setProperty("layout", "nhwc");
    props.setProperty("signature", "segment");
    props.setProperty("max.batch.size", "16");
    props.setProperty("trained.miou", "0.91");

    ModelConfig config = ModelConfig.load(write(props));

    assertEquals("fcn-default", config.name());
    assertEquals("3", config.version());
    assertEquals("image", config.inputName());
    assertEquals("probabilities", config.scoresOutput());
    assertEquals(Optional.of("classes"), config.classesOutput());
    assertEquals(ModelConfig.OutputActivation.SOFTMAX, config.activation());
    assertEquals("segment", config.signature());
    assertEquals(OptionalInt.of(16), config.maxBatchSize());
    assertEquals(1f / 255f, config.inputScale(), 1e-9);
    assertEquals(0f, config.inputOffset());
    assertEquals(List.of("background", "circle", "square", "triangle"), config.labels());
    assertEquals(new ModelInfo("fcn-default", "3", config.labels()), config.modelInfo());
    assertEquals(dir, config.modelDir());
  }

  @Test
  void optionalKeysHaveDefaults() {
    ModelConfig config = ModelConfig.of(dir, minimal());

    assertEquals(Optional.empty(), config.classesOutput());
    assertEquals(ModelConfig.OutputActivation.NONE, config.activation());
    assertEquals("serving_default", config.signature());
    assertEquals(OptionalInt.empty(), config.maxBatchSize());
  }

  @Test
  void scaleAcceptsPlainNumbers() {
    Properties props = minimal();
    props.setProperty("input.scale", "0.0078125");
    props.setProperty("input.offset", "-1");

    ModelConfig config = ModelConfig.of(dir, props);

    assertEquals(0.0078125f, config.inputScale());
    assertEquals(-1f, config.inputOffset());
  }

  @Test
  void everyRequiredKeyIsNamedWhenMissing() throws IOException {
    for (String key : List.of("name", "version", "input", "output", "input.scale", "input.offset", "labels")) {
      Properties props = minimal();
      props.remove(key);
      Path modelDir = write(props);

      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ModelConfig.load(modelDir), key);

      assertTrue(e.getMessage().contains("missing required key '" + key + "'"), e.getMessage());
      assertTrue(e.getMessage().contains(ModelConfig.FILE_NAME), e.getMessage());
    }
  }

  @Test
  void rejectsBadValuesWithTheReason() {
    assertInvalid("input.scale", "one", "expected a number");
    assertInvalid("input.scale", "1/0", "expected a number");
    assertInvalid("output.activation", "sigmoid", "expected one of [none, softmax]");
    assertInvalid("layout", "NCHW", "only NHWC is supported");
    assertInvalid("labels", "a,,b", "a label is empty");
    assertInvalid("labels", "a,b,a", "labels must be unique");
    assertInvalid("max.batch.size", "0", "expected a positive integer");
    assertInvalid("max.batch.size", "eight", "expected a positive integer");
    assertInvalid("classes.output", "probabilities", "must differ from output");
  }

  @Test
  void rejectsMoreClassesThanAMaskCanHold() {
    String labels = String.join(",", java.util.stream.IntStream.range(0, 257).mapToObj(i -> "c" + i).toList());
    assertInvalid("labels", labels, "at most 256 classes");
  }

  @Test
  void aFixedInputSizeIsReadWithItsResizeModes() {
    Properties props = minimal();
    assertTrue(ModelConfig.of(dir, props).fixedInputSize().isEmpty(), "no input.size: frames go in as they are");
    props.setProperty("input.size", "256x144");
    assertEquals(new FixedInputSize(256, 144, FixedInputSize.Fit.STRETCH, FixedInputSize.MaskScaling.BILINEAR),
        ModelConfig.of(dir, props).fixedInputSize().orElseThrow());
    props.setProperty("input.resize", "Letterbox");
    props.setProperty("output.resize", "nearest");
    assertEquals(new FixedInputSize(256, 144, FixedInputSize.Fit.LETTERBOX, FixedInputSize.MaskScaling.NEAREST),
        ModelConfig.of(dir, props).fixedInputSize().orElseThrow());
  }

  @Test
  void rejectsBadFixedInputSettings() {
    assertInvalid("input.size", "256", "expected WIDTHxHEIGHT");
    assertInvalid("input.size", "0x144", "must be positive");
    assertInvalid("input.resize", "letterbox", "only applies with input.size");
    Properties props = minimal();
    props.setProperty("input.size", "256x144");
    props.setProperty("input.resize", "crop");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.of(dir, props));
    assertTrue(e.getMessage().contains("expected one of [stretch, letterbox]"), e.getMessage());
  }

  private void assertInvalid(String key, String value, String reason) {
    Properties props = minimal();
    props.setProperty(key, value);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.of(dir, props), key + "=" + value);
    assertTrue(e.getMessage().contains("invalid " + key), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void aDirectoryWithoutTheFileIsExplained() {
    IOException e = assertThrows(IOException.class, () -> ModelConfig.load(dir));
    assertTrue(e.getMessage().contains("has no " + ModelConfig.FILE_NAME), e.getMessage());

    IOException missing = assertThrows(IOException.class, () -> ModelConfig.load(dir.resolve("nope")));
    assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
  }
}
