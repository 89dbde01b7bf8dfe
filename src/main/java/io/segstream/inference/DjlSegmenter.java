package io.segstream.inference;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SymbolBlock;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;
import io.segstream.image.RgbImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One TensorFlow SavedModel and one DJL {@link Predictor} on one device: a single model instance.
 *
 * <p>Calls are serialized (a predictor is not thread-safe); for concurrency run several instances
 * behind a {@link DynamicBatcher}. {@link #segmentAll} runs one model call per image size.
 */
public final class DjlSegmenter implements Segmenter, BatchBackend {

  /** Warm-up and validation input: a multiple of the usual FCN output strides. */
  private static final int PROBE_SIZE = 64;

  private final ModelConfig config;
  private final Device device;
  private final ZooModel<RgbImage, Segmentation> model;
  private final Predictor<RgbImage, Segmentation> predictor;
  private final SavedModelPlacement placement;
  private boolean closed;

  private DjlSegmenter(
      ModelConfig config, Device device, ZooModel<RgbImage, Segmentation> model, SavedModelPlacement placement) {
    this.config = config;
    this.device = device;
    this.model = model;
    this.predictor = model.newPredictor();
    this.placement = placement;
  }

  /**
   * Loads the model onto {@code device}, checks its signature against the config and runs it once.
   *
   * @throws IOException when the model cannot be loaded or does not match its config
   */
  public static DjlSegmenter load(ModelConfig config, Device device, SessionSettings session)
      throws IOException {
    Engine engine = TensorFlowRuntime.engine();
    int gpus = engine.getGpuCount();
    if (device.isGpu() && device.getDeviceId() >= gpus) {
      throw new IOException("device " + device + " requested but TensorFlow sees " + gpus + " GPU(s)");
    }
    // Without GPUs everything runs on the CPU, and unplaced nodes land on GPU 0 anyway.
    boolean pin = gpus > 0 && !device.equals(Device.gpu(0));
    SavedModelPlacement placement =
        pin ? SavedModelPlacement.pin(config.modelDir(), tfDeviceName(device)) : null;
    Criteria<RgbImage, Segmentation> criteria =
        Criteria.builder()
            .setTypes(RgbImage.class, Segmentation.class)
            .optEngine("TensorFlow")
            .optModelPath(placement == null ? config.modelDir() : placement.dir())
            .optDevice(device)
            .optOption("ConfigProto", session.configProtoOption(gpus))
            .optOption("SignatureDefKey", config.signature())
            .optTranslator(new SegmentationTranslator(config))
            .build();
    ZooModel<RgbImage, Segmentation> model = null;
    try {
      model = criteria.loadModel();
      checkSignature(config, model.getBlock());
      DjlSegmenter segmenter = new DjlSegmenter(config, device, model, placement);
      segmenter.probe();
      return segmenter;
    } catch (ModelException | IOException | RuntimeException e) {
      if (model != null) {
        model.close();
      }
      if (placement != null) {
        placement.close();
      }
      throw new IOException("cannot serve model " + config + " on " + device + ": " + e.getMessage(), e);
    }
  }

  static String tfDeviceName(Device device) {
    return device.isGpu() ? "/device:GPU:" + device.getDeviceId() : "/device:CPU:0";
  }

  private static void checkSignature(ModelConfig config, Block block) throws MalformedModelException {
    List<String> inputs = names(block.describeInput());
    List<String> outputs =
        block instanceof SymbolBlock symbols ? names(symbols.describeOutput()) : List.of();
    List<String> missing = new ArrayList<>();
    if (!inputs.contains(config.inputName())) {
      missing.add("input '" + config.inputName() + "' (signature inputs: " + inputs + ")");
    }
    List<String> wanted = new ArrayList<>(List.of(config.scoresOutput()));
    config.classesOutput().ifPresent(wanted::add);
    for (String output : wanted) {
      if (!outputs.isEmpty() && !outputs.contains(output)) {
        missing.add("output '" + output + "' (signature outputs: " + outputs + ")");
      }
    }
    if (!missing.isEmpty()) {
      throw new MalformedModelException(
          "signature '" + config.signature() + "' lacks " + String.join(", ", missing)
              + "; fix " + ModelConfig.FILE_NAME);
    }
  }

  private static List<String> names(PairList<String, Shape> described) {
    return described == null ? List.of() : described.keys();
  }

  /** One small call: proves input, outputs and class count match the config, and warms TensorFlow up. */
  private void probe() throws IOException {
    try {
      runBatch(List.of(new RgbImage(PROBE_SIZE, PROBE_SIZE, new byte[PROBE_SIZE * PROBE_SIZE * 3])));
    } catch (SegmentationException e) {
      throw new IOException("probe inference failed: " + e.getMessage(), e);
    }
  }

  public Device device() {
    return device;
  }

  public ModelConfig config() {
    return config;
  }

  @Override
  public ModelInfo modelInfo() {
    return config.modelInfo();
  }

  @Override
  public Segmentation segment(RgbImage image) throws SegmentationException {
    return runBatch(List.of(image)).get(0);
  }

  /** One model call per distinct image size (one in all for a fixed-input model); results in input order. */
  @Override
  public synchronized List<Segmentation> segmentAll(List<RgbImage> images) throws SegmentationException {
    Map<ImageSize, List<Integer>> bySize = new LinkedHashMap<>();
    for (int i = 0; i < images.size(); i++) {
      ImageSize size = config.fixedInputSize().map(ImageSize::of).orElse(ImageSize.of(images.get(i)));
      bySize.computeIfAbsent(size, key -> new ArrayList<>()).add(i);
    }
    Segmentation[] results = new Segmentation[images.size()];
    for (List<Integer> indexes : bySize.values()) {
      List<Segmentation> batch = runBatch(indexes.stream().map(images::get).toList());
      for (int i = 0; i < indexes.size(); i++) {
        results[indexes.get(i)] = batch.get(i);
      }
    }
    return Arrays.asList(results);
  }

  @Override
  public synchronized List<Segmentation> runBatch(List<RgbImage> images) throws SegmentationException {
    if (closed) {
      throw new SegmentationException("model instance " + config.name() + " on " + device + " is closed");
    }
    if (images.isEmpty()) {
      return List.of();
    }
    try {
      return predictor.batchPredict(images);
    } catch (TranslateException | RuntimeException | OutOfMemoryError e) {
      RgbImage first = images.get(0);
      String what =
          "model " + config.name() + ":" + config.version() + " on " + device + " failed on "
              + images.size() + " image(s) of " + first.width() + "x" + first.height() + ": "
              + rootMessage(e);
      if (InferenceOutOfMemoryException.isOutOfMemory(e)) {
        throw new InferenceOutOfMemoryException(what, e);
      }
      throw new SegmentationException(what, e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    // TensorFlow statuses carry multi-line stack dumps; the first line says what went wrong.
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    predictor.close();
    model.close();
    if (placement != null) {
      placement.close();
    }
  }
}
