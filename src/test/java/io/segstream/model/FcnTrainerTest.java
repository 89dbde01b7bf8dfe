package io.segstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.inference.TensorFlowRuntime;
import io.segstream.model.SyntheticScenes.Scene;
import io.segstream.model.data.LabeledImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

class FcnTrainerTest {

  private static final SyntheticScenes SCENES = new SyntheticScenes();

  @BeforeAll
  static void loadTensorFlow() {
    TensorFlowRuntime.engine();
  }

  private static TrainingOptions options(int steps, int checkpointEvery, Path checkpoints) {
    return new TrainingOptions(FcnVariant.FCN_8S, 4, steps, 4, 32, 40, 7, 3e-3, checkpointEvery, checkpoints, 2);
  }

  @Test
  void trainingLowersTheLossAndMovesTheSkipLayers() throws IOException {
    List<LabeledImage> probe = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      probe.add(SCENES.generate(500 + i, 40, 40).labeled("probe " + i));
    }
    try (FcnTrainer trainer = new FcnTrainer(options(80, 0, null), SCENES)) {
      float before = trainer.loss(probe);
      trainer.train(TrainingListener.NONE);
      float after = trainer.loss(probe);
      assertTrue(after < 0.85 * before, "loss " + before + " -> " + after);
      FrozenWeights weights = trainer.weights();
      assertTrue(maxAbs(weights.values("score_pool3/kernel")) > 0, "skip score layers learn");
    }
  }

  @Test
  void sameSeedGivesTheSameModelAndResumingChangesNothing(@TempDir Path dir) throws IOException {
    FrozenWeights straight;
    try (FcnTrainer trainer = new FcnTrainer(options(6, 3, dir.resolve("a")), SCENES)) {
      trainer.train(TrainingListener.NONE);
      straight = trainer.weights();
    }
    Path interrupted = dir.resolve("b");
    try (FcnTrainer trainer = new FcnTrainer(options(6, 3, interrupted), SCENES)) {
      TrainingListener crashAfterFirstCheckpoint = new TrainingListener() {
        @Override
        public void onStep(int step, int totalSteps, float loss) {}

        @Override
        public void onCheckpoint(int step) {
          throw new IllegalStateException("simulated crash at step " + step);
        }
      };
      assertThrows(IllegalStateException.class, () -> trainer.train(crashAfterFirstCheckpoint));
      assertEquals(3, trainer.step());
    }
    try (FcnTrainer resumed = new FcnTrainer(options(6, 3, interrupted), SCENES)) {
      assertEquals(3, resumed.step(), "resumes from the checkpoint");
      resumed.train(TrainingListener.NONE);
      FrozenWeights weights = resumed.weights();
      for (String name : straight.shapes().keySet()) {
        assertArrayEquals(straight.values(name), weights.values(name), name);
      }
    }
  }

  @Test
  void refusesToResumeAnotherRunsCheckpoint(@TempDir Path dir) throws IOException {
    try (FcnTrainer trainer = new FcnTrainer(options(2, 2, dir), SCENES)) {
      trainer.train(TrainingListener.NONE);
    }
    TrainingOptions other = new TrainingOptions(FcnVariant.FCN_8S, 4, 2, 4, 32, 40, 8, 3e-3, 2, dir, 2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new FcnTrainer(other, SCENES));
    assertTrue(e.getMessage().contains("another run"), e.getMessage());
  }

  @Test
  void exportHoldsOnlyTheInferenceGraph(@TempDir Path dir) throws IOException {
    FcnBuilder builder;
    FrozenWeights weights;
    try (FcnTrainer trainer = new FcnTrainer(options(2, 0, null), SCENES)) {
      trainer.train(TrainingListener.NONE);
      builder = trainer.builder();
      weights = trainer.weights();
    }
    Path modelDir = dir.resolve("model");
    ModelExport.export(builder, weights, modelDir, "tiny", "t1", SyntheticScenes.CLASS_LABELS);

    try (SavedModelBundle bundle = SavedModelBundle.load(modelDir.toString(), SavedModelBundle.DEFAULT_TAG)) {
      List<String> ops = new ArrayList<>();
      bundle.graph().operations().forEachRemaining(op -> ops.add(op.type() + " " + op.name()));
      assertTrue(ops.stream().anyMatch(op -> op.startsWith("Conv2DBackpropInput ")), "graph is the FCN");
      for (String op : ops) {
        String lower = op.toLowerCase();
        // The exporter's (empty) saver ops are expected; training ops and variables are not.
        assertFalse(lower.contains("adam") || lower.contains("variable") || lower.startsWith("assign")
            || lower.contains("gradient") || lower.contains("labels") || lower.contains("loss"), op);
      }
      GraphOperation conv = bundle.graph().operation("conv1_1/kernel");
      assertEquals("Const", conv.type(), "weights are baked in as constants");

      Scene scene = SCENES.generate(3, 37, 29);
      try (TFloat32 image = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(1, 29, 37, 3),
              org.tensorflow.ndarray.buffer.DataBuffers.of(ImageTensors.toNhwc(List.of(scene.image())), true, false));
          Result result = bundle.function(ModelExport.SIGNATURE).call(Map.of(FcnBuilder.INPUT, image))) {
        Tensor classes = result.get(FcnBuilder.CLASSES).orElseThrow();
        assertTrue(classes instanceof TInt32);
        assertEquals(org.tensorflow.ndarray.Shape.of(1, 29, 37), classes.shape());
        assertEquals(org.tensorflow.ndarray.Shape.of(1, 29, 37, 4),
            result.get(FcnBuilder.PROBABILITIES).orElseThrow().shape());
      }
    }

    Properties config = new Properties();
    try (Reader in = Files.newBufferedReader(modelDir.resolve(ModelExport.CONFIG_FILE))) {
      config.load(in);
    }
    assertEquals("tiny", config.getProperty("name"));
    assertEquals("t1", config.getProperty("version"));
    assertEquals("image", config.getProperty("input"));
    assertEquals("probabilities", config.getProperty("output"));
    assertEquals("classes", config.getProperty("classes.output"));
    assertEquals(1.0 / 255, Double.parseDouble(config.getProperty("input.scale")), 1e-15);
    assertEquals(0.0, Double.parseDouble(config.getProperty("input.offset")));
    assertEquals("background,circle,square,triangle", config.getProperty("labels"));
    assertEquals("NHWC", config.getProperty("layout"));
  }

  private static double maxAbs(float[] values) {
    double max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }
}
