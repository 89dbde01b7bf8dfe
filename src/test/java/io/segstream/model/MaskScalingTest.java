package io.segstream.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.segstream.inference.DjlSegmenter;
import io.segstream.inference.ModelConfig;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SessionSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which way back to the frame's size is better for a fixed-input model: bilinear on the scores, then the
 * argmax, or the nearest model pixel's class? Measured where the truth is known: the default FCN (it
 * takes any size, so it can play a fixed-size model) declared as taking 96x96, on 384x384 synthetic
 * scenes (4x its input, as a 1080p frame is to DeepLab's 513) against their ground-truth labels.
 */
@Timeout(300)
class MaskScalingTest {

  private static final Path FCN = Paths.get(System.getProperty("segstream.repo.dir", "."), "models/fcn-default");
  private static final int SCENES = 24;
  private static final int FRAME = 384;

  @Test
  void bilinearScoresFollowTheTrueBordersBetterThanNearestClasses(@TempDir Path dir) throws Exception {
    Evaluation bilinear = evaluate(dir, "bilinear");
    Evaluation nearest = evaluate(dir, "nearest");
    System.out.printf("mask scaling, %d scenes %dx%d through a 96x96 input: mean IoU bilinear %.4f nearest %.4f;"
        + " pixel accuracy bilinear %.4f nearest %.4f%n", SCENES, FRAME, FRAME, bilinear.meanIou(), nearest.meanIou(),
        bilinear.pixelAccuracy(), nearest.pixelAccuracy());
    assertTrue(bilinear.meanIou() > nearest.meanIou(),
        "bilinear " + bilinear.meanIou() + " vs nearest " + nearest.meanIou());
  }

  private static Evaluation evaluate(Path dir, String outputResize) throws Exception {
    Path model = Files.createDirectories(dir.resolve(outputResize));
    Files.copy(FCN.resolve("saved_model.pb"), model.resolve("saved_model.pb"));
    // Its own class output is dropped: with input.size the classes come from the resized scores.
    String properties = Files.readString(FCN.resolve(ModelConfig.FILE_NAME)).replaceAll("(?m)^classes\\.output=.*$", "");
    Files.writeString(model.resolve(ModelConfig.FILE_NAME),
        properties + "\ninput.size=96x96\ninput.resize=stretch\noutput.resize=" + outputResize + "\n");
    SyntheticScenes scenes = new SyntheticScenes();
    Evaluation evaluation = new Evaluation(SyntheticScenes.CLASS_LABELS);
    try (DjlSegmenter segmenter =
        DjlSegmenter.load(ModelConfig.load(model), Device.cpu(), SessionSettings.defaults())) {
      for (int i = 0; i < SCENES; i++) {
        SyntheticScenes.Scene scene = scenes.generate(2_000_000 + i, FRAME, FRAME);
        Segmentation mask = segmenter.segment(scene.image());
        evaluation.add(scene.labels(), mask.classIds());
      }
    }
    return evaluation;
  }
}
