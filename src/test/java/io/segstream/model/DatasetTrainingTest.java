package io.segstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.RgbImage;
import io.segstream.inference.TensorFlowRuntime;
import io.segstream.model.SyntheticScenes.Scene;
import io.segstream.model.data.Augmentation;
import io.segstream.model.data.Datasets;
import io.segstream.model.data.LabeledDataset;
import io.segstream.model.data.LabeledImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTrainingTest {

  private static final SyntheticScenes SCENES = new SyntheticScenes();
  private static final List<String> SHAPE_OR_NOT = List.of("background", "shape");

  @BeforeAll
  static void loadTensorFlow() {
    TensorFlowRuntime.engine();
  }

  private static TrainingOptions options(int steps, int width, int crop) {
    return new TrainingOptions(FcnVariant.FCN_8S, width, steps, 4, crop, crop, 7, 3e-3, 0, null, 2);
  }

  /**
   * A VOC dataset of synthetic scenes' shapes, bright on a dark ground so a few steps can learn them,
   * labelled shape / background: train ids t*, val ids v*.
   */
  private static Path shapesDataset(Path root, int train, int val, int size) throws IOException {
    List<String> ids = new ArrayList<>();
    List<RgbImage> images = new ArrayList<>();
    List<byte[]> masks = new ArrayList<>();
    java.util.SplittableRandom noise = new java.util.SplittableRandom(3);
    for (int i = 0; i < train + val; i++) {
      Scene scene = SCENES.generate(1000 + i, size, size);
      byte[] mask = new byte[scene.labels().length];
      byte[] pixels = new byte[mask.length * 3];
      for (int p = 0; p < mask.length; p++) {
        mask[p] = (byte) (scene.labels()[p] == SyntheticScenes.BACKGROUND ? 0 : 1);
        for (int c = 0; c < 3; c++) {
          pixels[p * 3 + c] = (byte) (mask[p] == 1 ? 150 + noise.nextInt(100) : noise.nextInt(100));
        }
      }
      ids.add((i < train ? "t" : "v") + i);
      images.add(new RgbImage(size, size, pixels));
      masks.add(mask);
    }
    Datasets.writeVoc(root, ids, images, masks, SHAPE_OR_NOT);
    Path sets = root.resolve("ImageSets/Segmentation");
    Files.write(sets.resolve("train.txt"), ids.subList(0, train));
    Files.write(sets.resolve("val.txt"), ids.subList(train, ids.size()));
    return root;
  }

  private static TrainingData data(Path root, TrainingOptions options, int validateEvery) throws IOException {
    LabeledDataset train = LabeledDataset.open(root, "train");
    return new TrainingData(train.labels(), new DatasetBatches(train, new Augmentation(options.minSize(), 0.8, 1.25,
        true), options.seed(), options.batchSize()), LabeledDataset.open(root, "val"), validateEvery);
  }

  @Test
  void voidPixelsAddNothingToTheLoss() throws IOException {
    Scene scene = SCENES.generate(77, 40, 40);
    int n = scene.labels().length;
    byte[] left = scene.labels().clone();
    byte[] right = scene.labels().clone();
    int leftPixels = 0;
    for (int i = 0; i < n; i++) {
      if (i % 40 < 15) {
        right[i] = (byte) LabeledDataset.VOID;
        leftPixels++;
      } else {
        left[i] = (byte) LabeledDataset.VOID;
      }
    }
    try (FcnTrainer trainer = new FcnTrainer(options(1, 4, 40), SCENES)) {
      float whole = trainer.loss(List.of(scene.labeled("whole")));
      float leftOnly = trainer.loss(List.of(new LabeledImage("left", scene.image(), left)));
      float rightOnly = trainer.loss(List.of(new LabeledImage("right", scene.image(), right)));
      // A per-pixel mean over scored pixels only: the two halves' sums make the whole's.
      double recombined = (leftOnly * (double) leftPixels + rightOnly * (double) (n - leftPixels)) / n;
      assertEquals(whole, recombined, 1e-4 * whole, "left " + leftOnly + ", right " + rightOnly);
      assertTrue(Math.abs(leftOnly - rightOnly) > 1e-3, "the halves differ, so the check can tell");
      byte[] allVoid = new byte[n];
      Arrays.fill(allVoid, (byte) LabeledDataset.VOID);
      assertEquals(0f, trainer.loss(List.of(new LabeledImage("void", scene.image(), allVoid))));
    }
  }

  @Test
  void aTinyDatasetTrainsAndItsValidationSplitIsScored(@TempDir Path dir) throws IOException {
    Path root = shapesDataset(dir.resolve("shapes"), 12, 4, 48);
    TrainingOptions options = options(60, 4, 32);
    List<Integer> validatedAt = new ArrayList<>();
    List<Double> mious = new ArrayList<>();
    try (FcnTrainer trainer = new FcnTrainer(options, data(root, options, 25), null)) {
      double before = trainer.validate().meanIou();
      trainer.train(new TrainingListener() {
        @Override
        public void onStep(int step, int totalSteps, float loss) {}

        @Override
        public void onValidation(int step, Evaluation validation) {
          validatedAt.add(step);
          mious.add(validation.meanIou());
          assertEquals(4L * 48 * 48, validation.pixels(), "every validation pixel is scored");
        }
      });
      assertEquals(List.of(25, 50, 60), validatedAt, "every 25 steps and after the last");
      double after = mious.get(mious.size() - 1);
      assertTrue(after > 0.7 && after > before + 0.2, "val mIoU " + before + " -> " + mious);
      assertEquals(SHAPE_OR_NOT, trainer.labels());
    }
  }

  @Test
  void datasetBatchesAreAFunctionOfTheStep(@TempDir Path dir) throws IOException {
    Path root = shapesDataset(dir.resolve("shapes"), 5, 1, 40);
    TrainingOptions options = options(10, 4, 32);
    TrainingBatches a = data(root, options, 0).batches();
    TrainingBatches b = data(root, options, 0).batches();
    List<LabeledImage> later = a.batch(7);
    a.batch(2);
    assertArrayEquals(later.get(3).truth(), b.batch(7).get(3).truth(), "resumed runs see the same batches");
    assertArrayEquals(later.get(3).image().pixels(), a.batch(7).get(3).image().pixels());
  }

  @Test
  void transferKeepsTheBackboneBitForBitAndStartsFreshScores(@TempDir Path dir) throws IOException {
    Path source = dir.resolve("source");
    try (FcnTrainer trainer = new FcnTrainer(options(3, 4, 32), SCENES)) {
      trainer.train(TrainingListener.NONE);
      ModelExport.export(trainer.builder(), trainer.weights(), source, "src", "1", SyntheticScenes.CLASS_LABELS);
    }
    Transfer transfer = Transfer.load(source, 2);
    assertEquals(4, transfer.width());
    assertEquals(12 * 2, transfer.backbone().size(), "ten convs, fc6 and fc7, kernels and biases");

    Path root = shapesDataset(dir.resolve("shapes"), 4, 1, 40);
    TrainingOptions options = options(4, 4, 32);
    try (FcnTrainer trainer = new FcnTrainer(options, data(root, options, 0), transfer)) {
      FrozenWeights start = trainer.weights();
      for (Map.Entry<String, float[]> layer : transfer.backbone().entrySet()) {
        assertArrayEquals(layer.getValue(), start.values(layer.getKey()), layer.getKey() + " at step 0");
      }
      assertEquals(0.0, maxAbs(start.values("score_fr/kernel")), "class scores start at zero");
      assertEquals(0.0, maxAbs(start.values("score_pool3/kernel")), "skip scores start at zero");
      assertEquals(2 * 16 * 4, start.values("score_fr/kernel").length, "scores for the new two labels");
      assertArrayEquals(WeightInit.BILINEAR.values(org.tensorflow.ndarray.Shape.of(16, 16, 2, 2), null),
          start.values("upscore8/kernel"), "upsampling starts as bilinear interpolation");

      trainer.train(new TrainingListener() {
        @Override
        public void onStep(int step, int totalSteps, float loss) {
          if (step == 2) {
            FrozenWeights frozen = trainer.weights();
            assertArrayEquals(transfer.backbone().get("conv1_1/kernel"), frozen.values("conv1_1/kernel"),
                "frozen for the first two steps");
            assertTrue(maxAbs(frozen.values("score_fr/kernel")) > 0, "scores learn while the backbone is frozen");
          }
        }
      });
      assertFalse(Arrays.equals(transfer.backbone().get("conv1_1/kernel"), trainer.weights().values("conv1_1/kernel")),
          "fine-tuned end to end after the frozen steps");
    }
  }

  @Test
  void transferRefusesAModelThatIsNotASegstreamFcn(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("segstream-model.properties"), "name=x\nversion=1\ninput=a\noutput=b\nlabels=a,b\n");
    assertThrows(IllegalArgumentException.class, () -> Transfer.load(dir, 0));
  }

  private static double maxAbs(float[] values) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
