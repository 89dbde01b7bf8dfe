package io.segstream.inference;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * How to run one SavedModel segmentation model: the contents of {@code segstream-model.properties}
 * beside the SavedModel (in the spirit of a Triton {@code config.pbtxt}).
 *
 * <p>Any SavedModel that maps an NHWC float image to per-pixel class scores can be served:
 *
 * <pre>
 * name=fcn-default                 # required: model name, carried on every mask
 * version=3                        # required
 * input=image                      # required: input name in the signature, NHWC float32 [N,H,W,3]
 * output=probabilities             # required: per-pixel scores [N,H,W,C], C = number of labels
 * classes.output=classes           # optional: per-pixel class ids [N,H,W] int32/int64; else argmax in Java
 * output.activation=none           # optional: none (scores are probabilities) or softmax (scores are logits)
 * input.scale=1/255                # required: model input = byte value * scale + offset (a number or a/b)
 * input.offset=0                   # required
 * labels=background,circle,square  # required: class labels, comma separated, in class-id order
 * layout=NHWC                      # optional: only NHWC is supported
 * signature=serving_default        # optional: the signature to run
 * max.batch.size=16                # optional: the most images the model accepts in one call
 * input.size=256x144               # optional: the one WIDTHxHEIGHT the model accepts; frames are fitted
 * input.resize=stretch             # optional: stretch (fill, aspect changes) or letterbox (keep aspect)
 * output.resize=bilinear           # optional: mask back to frame size: bilinear (scores) or nearest (class)
 * </pre>
 *
 * Unknown keys are ignored, so model builders may record extra facts (training data, scores) there.
 */
public final class ModelConfig {

  public static final String FILE_NAME = "segstream-model.properties";

  public static final String NAME = "name";
  public static final String VERSION = "version";
  public static final String INPUT = "input";
  public static final String OUTPUT = "output";
  public static final String CLASSES_OUTPUT = "classes.output";
  public static final String OUTPUT_ACTIVATION = "output.activation";
  public static final String INPUT_SCALE = "input.scale";
  public static final String INPUT_OFFSET = "input.offset";
  public static final String LABELS = "labels";
  public static final String LAYOUT = "layout";
  public static final String SIGNATURE = "signature";
  public static final String MAX_BATCH_SIZE = "max.batch.size";
  public static final String INPUT_SIZE = "input.size";
  public static final String INPUT_RESIZE = "input.resize";
  public static final String OUTPUT_RESIZE = "output.resize";

  /** Masks store class ids as unsigned bytes. */
  public static final int MAX_CLASSES = 256;

  /** What the score output holds, and so what turns it into probabilities. */
  public enum OutputActivation {
    /** Scores already are probabilities. */
    NONE,
    /** Scores are logits; softmax over the class axis gives probabilities. */
    SOFTMAX
  }

  private final Path modelDir;
  private final String name;
  private final String version;
  private final String signature;
  private final String inputName;
  private final String scoresOutput;
  private final String classesOutput;
  private final OutputActivation activation;
  private final float inputScale;
  private final float inputOffset;
  private final List<String> labels;
  private final Integer maxBatchSize;
  private final FixedInputSize fixedInputSize;

  private ModelConfig(Path modelDir, Properties props, String source) {
    Keys keys = new Keys(props, source);
    this.modelDir = modelDir;
    this.name = keys.required(NAME, "the model name");
    this.version = keys.required(VERSION, "the model version");
    this.inputName = keys.required(INPUT, "the signature's image input, NHWC float32");
    this.scoresOutput = keys.required(OUTPUT, "the signature's per-pixel score output [N,H,W,C]");
    this.classesOutput = keys.optional(CLASSES_OUTPUT).orElse(null);
    this.signature = keys.optional(SIGNATURE).orElse("serving_default");
    this.activation = keys.activation();
    this.inputScale = keys.number(INPUT_SCALE, "model input = pixel byte * scale + offset, e.g. 1/255");
    this.inputOffset = keys.number(INPUT_OFFSET, "model input = pixel byte * scale + offset, e.g. 0");
    this.labels = keys.labels();
    this.maxBatchSize = keys.positiveInt(MAX_BATCH_SIZE).orElse(null);
    String layout = keys.optional(LAYOUT).orElse("NHWC");
    if (!layout.equalsIgnoreCase("NHWC")) {
      throw keys.invalid(LAYOUT, layout, "only NHWC is supported");
    }
    if (scoresOutput.equals(classesOutput)) {
      throw keys.invalid(CLASSES_OUTPUT, classesOutput, "must differ from " + OUTPUT);
    }
    this.fixedInputSize = keys.fixedInputSize();
    if (fixedInputSize != null && classesOutput != null) {
      throw keys.invalid(CLASSES_OUTPUT, classesOutput,
          "not supported with " + INPUT_SIZE + ": masks are resized from the scores");
    }
  }

  /** Reads {@value #FILE_NAME} from {@code modelDir}, which must also hold the SavedModel. */
  public static ModelConfig load(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE_NAME);
    if (!Files.isDirectory(modelDir)) {
      throw new IOException("model directory " + modelDir.toAbsolutePath() + " does not exist");
    }
    if (!Files.isRegularFile(file)) {
      throw new IOException(
          "model directory " + modelDir.toAbsolutePath() + " has no " + FILE_NAME
              + " (it names the model's input and output tensors, scaling and labels)");
    }
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    }
    return new ModelConfig(modelDir, props, file.toString());
  }

  /**
   * Writes {@value #FILE_NAME} into {@code modelDir}: the comment lines, then the settings in the
   * order given. The settings are validated first, so an exporter can never leave a config behind
   * that the serving side would refuse. Write it after the SavedModel: a model folder counts as
   * complete (and may be hot-loaded) once this file exists.
   */
  public static ModelConfig write(Path modelDir, List<String> comments, java.util.Map<String, String> settings)
      throws IOException {
    Properties props = new Properties();
    props.putAll(settings);
    ModelConfig config = of(modelDir, props);
    StringBuilder text = new StringBuilder();
    comments.forEach(line -> text.append("# ").append(line).append('\n'));
    settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
    Files.writeString(modelDir.resolve(FILE_NAME), text, StandardCharsets.UTF_8);
    return config;
  }

  /** Validates settings given directly; {@code modelDir} is where the SavedModel is. */
  public static ModelConfig of(Path modelDir, Properties props) {
    return new ModelConfig(modelDir, props, "model settings for " + modelDir);
  }

  public Path modelDir() {
    return modelDir;
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public String signature() {
    return signature;
  }

  public String inputName() {
    return inputName;
  }

  public String scoresOutput() {
    return scoresOutput;
  }

  /** The per-pixel class id output, if the model has one; otherwise classes are the scores' argmax. */
  public Optional<String> classesOutput() {
    return Optional.ofNullable(classesOutput);
  }

  public OutputActivation activation() {
    return activation;
  }

  public float inputScale() {
    return inputScale;
  }

  public float inputOffset() {
    return inputOffset;
  }

  public List<String> labels() {
    return labels;
  }

  public int numClasses() {
    return labels.size();
  }

  /** The model's own batch limit, if it declares one. */
  public OptionalInt maxBatchSize() {
    return maxBatchSize == null ? OptionalInt.empty() : OptionalInt.of(maxBatchSize);
  }

  /** The one input size the model accepts, if it has one; otherwise it takes frames as they are. */
  public Optional<FixedInputSize> fixedInputSize() {
    return Optional.ofNullable(fixedInputSize);
  }

  public ModelInfo modelInfo() {
    return new ModelInfo(name, version, labels);
  }

  @Override
  public String toString() {
    return name + ":" + version + " (" + modelDir + ", " + inputName + " -> " + scoresOutput
        + (classesOutput == null ? "" : "/" + classesOutput) + ", " + labels.size() + " classes"
        + (fixedInputSize == null ? "" : ", input " + fixedInputSize) + ")";
  }

  /** Reads keys and phrases every problem with the file it came from and the key's meaning. */
  private record Keys(Properties props, String source) {

    Optional<String> optional(String key) {
      String value = props.getProperty(key);
      return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String required(String key, String meaning) {
      return optional(key)
          .orElseThrow(
              () -> new IllegalArgumentException(
                  source + ": missing required key '" + key + "' (" + meaning + ")"));
    }

    float number(String key, String meaning) {
      String text = required(key, meaning);
      try {
        int slash = text.indexOf('/');
        double value =
            slash < 0
                ? Double.parseDouble(text)
                : Double.parseDouble(text.substring(0, slash).trim())
                    / Double.parseDouble(text.substring(slash + 1).trim());
        if (!Double.isFinite(value)) {
          throw new NumberFormatException("not finite");
        }
        return (float) value;
      } catch (NumberFormatException e) {
        throw invalid(key, text, "expected a number such as 0.5 or a fraction such as 1/255");
      }
    }

    Optional<Integer> positiveInt(String key) {
      return optional(key)
          .map(
              text -> {
                try {
                  int value = Integer.parseInt(text);
                  if (value >= 1) {
                    return value;
                  }
                } catch (NumberFormatException e) {
                  // reported below
                }
                throw invalid(key, text, "expected a positive integer");
              });
    }

    OutputActivation activation() {
      return choice(OUTPUT_ACTIVATION, OutputActivation.class, "none");
    }

    FixedInputSize fixedInputSize() {
      Optional<String> size = optional(INPUT_SIZE);
      FixedInputSize.Fit fit = choice(INPUT_RESIZE, FixedInputSize.Fit.class, "stretch");
      FixedInputSize.MaskScaling scaling = choice(OUTPUT_RESIZE, FixedInputSize.MaskScaling.class, "bilinear");
      if (size.isEmpty()) {
        for (String key : List.of(INPUT_RESIZE, OUTPUT_RESIZE)) {
          if (optional(key).isPresent()) {
            throw invalid(key, optional(key).get(), "only applies with " + INPUT_SIZE);
          }
        }
        return null;
      }
      try {
        return FixedInputSize.parse(size.get(), fit, scaling);
      } catch (IllegalArgumentException e) {
        throw invalid(INPUT_SIZE, size.get(), e.getMessage());
      }
    }

    <E extends Enum<E>> E choice(String key, Class<E> type, String fallback) {
      String text = optional(key).orElse(fallback);
      try {
        return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw invalid(key, text, "expected one of " + Arrays.stream(type.getEnumConstants())
            .map(c -> c.name().toLowerCase(Locale.ROOT)).toList());
      }
    }

    List<String> labels() {
      String text = required(LABELS, "class labels in class-id order, comma separated");
      List<String> labels = Arrays.stream(text.split(",", -1)).map(String::trim).toList();
      if (labels.stream().anyMatch(String::isEmpty)) {
        throw invalid(LABELS, text, "a label is empty");
      }
      if (new HashSet<>(labels).size() != labels.size()) {
        throw invalid(LABELS, text, "labels must be unique");
      }
      if (labels.size() > MAX_CLASSES) {
        throw invalid(LABELS, text, "at most " + MAX_CLASSES + " classes are supported");
      }
      return labels;
    }

    IllegalArgumentException invalid(String key, String value, String why) {
      return new IllegalArgumentException(source + ": invalid " + key + "='" + value + "': " + why);
    }
  }
}
