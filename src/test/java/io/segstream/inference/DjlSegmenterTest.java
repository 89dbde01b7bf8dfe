package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.segstream.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;

class DjlSegmenterTest {

  private static final SessionSettings SESSION = new SessionSettings(2, 1);

  @TempDir static Path tmp;
  private static Path fcnLike;
  private static Path logitsOnly;
  private static DjlSegmenter segmenter;

  @BeforeAll
  static void exportModels() throws IOException {
    fcnLike = ColourModel.export(tmp.resolve("fcn-like"), ColourModel.Outputs.PROBABILITIES_AND_CLASSES);
    logitsOnly = ColourModel.export(tmp.resolve("logits"), ColourModel.Outputs.LOGITS_ONLY);
    segmenter = DjlSegmenter.load(ModelConfig.load(fcnLike), Device.cpu(), SESSION);
  }

  @AfterAll
  static void close() {
    segmenter.close();
  }

  private static void assertExact(Segmentation result, int width, int height, int seed) {
    assertEquals(width, result.width());
    assertEquals(height, result.height());
    assertArrayEquals(ColourModel.expectedMask(width, height, seed), result.classIds());
    assertEquals(3, result.classScores().length);
    float sum = 0;
    for (float score : result.classScores()) {
      assertTrue(score >= 0 && score <= 1, "score " + score);
      sum += score;
    }
    assertEquals(1f, sum, 1e-4f);
  }

  @Test
  void segmentsOddSizesExactly() throws SegmentationException {
    assertExact(segmenter.segment(ColourModel.image(100, 152, 1)), 100, 152, 1);
    assertExact(segmenter.segment(ColourModel.image(37, 61, 2)), 37, 61, 2);
    assertEquals(new ModelInfo("colour", "1", ColourModel.LABELS), segmenter.modelInfo());
  }

  @Test
  void oneBatchedCallGivesTheSameResultsAsSingleCalls() throws SegmentationException {
    List<RgbImage> images = List.of(ColourModel.image(100, 152, 3), ColourModel.image(100, 152, 4),
        ColourModel.image(100, 152, 5));

    List<Segmentation> batch = segmenter.runBatch(images);

    assertEquals(3, batch.size());
    for (int i = 0; i < 3; i++) {
      assertExact(batch.get(i), 100, 152, 3 + i);
      assertArrayEquals(segmenter.segment(images.get(i)).classScores(), batch.get(i).classScores(), 1e-6f);
    }
    // The batch's forward time is shared out evenly: one model call for the three images.
    assertEquals(batch.get(0).computeNanos(), batch.get(2).computeNanos());
    assertTrue(batch.get(0).computeNanos() > 0);
  }

  @Test
  void segmentAllSplitsMixedSizesAndKeepsOrder() throws SegmentationException {
    List<RgbImage> images = List.of(ColourModel.image(100, 152, 6), ColourModel.image(37, 61, 7),
        ColourModel.image(100, 152, 8), ColourModel.image(37, 61, 9));

    List<Segmentation> results = segmenter.segmentAll(images);

    assertExact(results.get(0), 100, 152, 6);
    assertExact(results.get(1), 37, 61, 7);
    assertExact(results.get(2), 100, 152, 8);
    assertExact(results.get(3), 37, 61, 9);
  }

  @Test
  void aBatchOfMixedSizesIsRefused() {
    SegmentationException e = assertThrows(SegmentationException.class,
        () -> segmenter.runBatch(List.of(ColourModel.image(10, 10, 0), ColourModel.image(12, 10, 0))));
    assertTrue(e.getMessage().contains("one batch needs images of one size"), e.getMessage());
  }

  @Test
  void logitsOnlyModelsGetSoftmaxAndArgmaxInJava() throws IOException, SegmentationException {
    try (DjlSegmenter logits = DjlSegmenter.load(ModelConfig.load(logitsOnly), Device.cpu(), SESSION)) {
      List<Segmentation> results =
          logits.runBatch(List.of(ColourModel.image(100, 152, 10), ColourModel.image(100, 152, 11)));

      assertExact(results.get(0), 100, 152, 10);
      assertExact(results.get(1), 100, 152, 11);
      assertArrayEquals(
          segmenter.segment(ColourModel.image(100, 152, 10)).classScores(), results.get(0).classScores(), 1e-5f);
    }
  }

  @Test
  void tensorFlowsOwnOutOfMemoryErrorIsRecognisedAndTheInstanceServesOn() throws IOException, SegmentationException {
    Path model = ColourModel.exportFittingOneImagePerCall(tmp.resolve("one-image-per-call"));
    try (DjlSegmenter small = DjlSegmenter.load(ModelConfig.load(model), Device.cpu(), SESSION)) {
      List<RgbImage> two = List.of(ColourModel.image(16, 16, 13), ColourModel.image(16, 16, 14));

      InferenceOutOfMemoryException e =
          assertThrows(InferenceOutOfMemoryException.class, () -> small.runBatch(two));

      // What DJL threw, without segstream's wrapper: TensorFlow's RESOURCE_EXHAUSTED status.
      Throwable thrown = e.getCause();
      System.out.println("TensorFlow out of memory through DJL: " + thrown);
      assertTrue(InferenceOutOfMemoryException.isOutOfMemory(thrown), thrown.toString());
      assertTrue(e.getMessage().contains("failed on 2 image(s) of 16x16: OOM when allocating tensor"), e.getMessage());
      // The batcher retries such a batch in halves on the same instance: it must still serve.
      assertExact(small.segment(two.get(0)), 16, 16, 13);
    }
  }

  @Test
  void aConfigNamingAbsentTensorsFailsAtLoad() throws IOException {
    Properties props = props(fcnLike);
    props.setProperty("output", "scores");
    ModelConfig wrong = ModelConfig.of(fcnLike, props);

    IOException e = assertThrows(IOException.class, () -> DjlSegmenter.load(wrong, Device.cpu(), SESSION));

    assertTrue(e.getMessage().contains("output 'scores'"), e.getMessage());
    assertTrue(e.getMessage().contains("probabilities"), e.getMessage());
  }

  @Test
  void aConfigWithTheWrongClassCountFailsAtLoad() throws IOException {
    Properties props = props(fcnLike);
    props.setProperty("labels", "a,b,c,d");
    ModelConfig wrong = ModelConfig.of(fcnLike, props);

    IOException e = assertThrows(IOException.class, () -> DjlSegmenter.load(wrong, Device.cpu(), SESSION));

    assertTrue(e.getMessage().contains("expected (1, 64, 64, 4)"), e.getMessage());
  }

  @Test
  void placementPinsEveryNodeAndTheModelStillRuns() throws IOException, SegmentationException {
    try (SavedModelPlacement placed = SavedModelPlacement.pin(fcnLike, "/device:CPU:0")) {
      SavedModel proto = SavedModel.parseFrom(Files.readAllBytes(placed.dir().resolve("saved_model.pb")));
      List<NodeDef> nodes = proto.getMetaGraphs(0).getGraphDef().getNodeList();
      assertTrue(nodes.size() > 5);
      nodes.forEach(node -> assertTrue(node.getDevice().contains("CPU"), node.getName() + " " + node.getDevice()));

      Path config = placed.dir().resolve(ModelConfig.FILE_NAME);
      Files.copy(fcnLike.resolve(ModelConfig.FILE_NAME), config);
      try (DjlSegmenter pinned = DjlSegmenter.load(ModelConfig.load(placed.dir()), Device.cpu(), SESSION)) {
        assertExact(pinned.segment(ColourModel.image(37, 61, 12)), 37, 61, 12);
      }
    }
  }

  private static Properties props(Path modelDir) throws IOException {
    Properties props = new Properties();
    try (var in = Files.newBufferedReader(modelDir.resolve(ModelConfig.FILE_NAME))) {
      props.load(in);
    }
    return props;
  }
}
