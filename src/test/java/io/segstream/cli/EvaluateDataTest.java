package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import io.segstream.model.SyntheticScenes;
import io.segstream.model.SyntheticScenes.Scene;
import io.segstream.model.data.Datasets;
import io.segstream.testing.CapturedOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code evaluate --data} end to end: a tiny generated VOC dataset scored by models/fcn-default. */
@Timeout(180)
class EvaluateDataTest {

  private static final Path MODEL =
      Paths.get(System.getProperty("segstream.repo.dir", "."), "models", "fcn-default");
  private static final List<String> MODEL_LABELS = SyntheticScenes.CLASS_LABELS;
  private static final int SIZE = 64;

  /** Three held-out scenes as a VOC dataset, a one-pixel void frame round each mask like VOC's borders. */
  private static Path vocDataset(Path root) throws Exception {
    SyntheticScenes scenes = new SyntheticScenes();
    List<String> ids = new ArrayList<>();
    List<RgbImage> images = new ArrayList<>();
    List<byte[]> masks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Scene scene = scenes.generate(2_000_000 + i, SIZE, SIZE);
      byte[] mask = scene.labels().clone();
      for (int p = 0; p < mask.length; p++) {
        int x = p % SIZE;
        int y = p / SIZE;
        if (x == 0 || y == 0 || x == SIZE - 1 || y == SIZE - 1) {
          mask[p] = (byte) 255;
        }
      }
      ids.add("scene_" + i);
      images.add(scene.image());
      masks.add(mask);
    }
    return Datasets.writeVoc(root, ids, images, masks, MODEL_LABELS);
  }

  private record Run(int status, String output) {}

  private static Run evaluate(String... args) {
    try (CapturedOutput captured = new CapturedOutput()) {
      int status = new CommandLine(new EvaluateCommand()).execute(args);
      return new Run(status, captured.text());
    }
  }

  private static double metric(String output, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+([0-9.]+)$").matcher(output);
    assertTrue(m.find(), name + " not in\n" + output);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void scoresAVocDatasetWritesTheConfusionCsvAndErrorMaps(@TempDir Path dir) throws Exception {
    assertTrue(Files.isRegularFile(MODEL.resolve("saved_model.pb")), "no model in " + MODEL);
    Path data = vocDataset(dir.resolve("voc"));
    Path csv = dir.resolve("confusion.csv");
    Path overlays = dir.resolve("errors");
    Run run = evaluate("--model", MODEL.toString(), "--data", data.toString(),
        "--split", "val", "--confusion", csv.toString(), "--overlays", overlays.toString());
    String output = run.output();
    assertEquals(0, run.status(), output);
    assertTrue(output.contains("3 images of " + data + " split 'val' (Pascal VOC layout)"), output);

    // The CSV counts every non-void pixel once: 3 scenes of 62x62 scored pixels.
    List<String> rows = Files.readAllLines(csv);
    assertEquals("truth\\predicted,background,circle,square,triangle", rows.get(0));
    long total = 0;
    long right = 0;
    for (int t = 1; t < rows.size(); t++) {
      String[] cells = rows.get(t).split(",");
      assertEquals(MODEL_LABELS.get(t - 1), cells[0]);
      for (int p = 1; p < cells.length; p++) {
        long n = Long.parseLong(cells[p]);
        total += n;
        right += p == t ? n : 0;
      }
    }
    assertEquals(3L * (SIZE - 2) * (SIZE - 2), total);
    assertEquals(String.format(Locale.ROOT, "%.4f", (double) right / total),
        String.format(Locale.ROOT, "%.4f", metric(output, "pixel acc.")));
    assertTrue(metric(output, "mean IoU") > 0.5, "the shipped model recognises its own kind of scene\n" + output);
    metric(output, "mean acc.");
    metric(output, "f.w. IoU");

    // Error maps: grey exactly on the void frame, and as many red pixels as the CSV has errors.
    long red = 0;
    for (int i = 0; i < 3; i++) {
      RgbImage map = Images.toRgb(ImageIO.read(overlays.resolve("scene_" + i + ".png").toFile()));
      assertEquals(SIZE, map.width());
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          boolean border = x == 0 || y == 0 || x == SIZE - 1 || y == SIZE - 1;
          int r = map.channel(x, y, 0);
          int g = map.channel(x, y, 1);
          int b = map.channel(x, y, 2);
          assertEquals(border, r == 128 && g == 128 && b == 128, "void grey at (" + x + ", " + y + ")");
          if (r == 255 && g == 0 && b == 0) {
            red++;
          }
        }
      }
    }
    assertEquals(total - right, red);
  }

  @Test
  void refusesADatasetWhoseLabelsAreNotTheModels(@TempDir Path dir) throws Exception {
    Path data = Datasets.writeVoc(dir.resolve("voc"), List.of("a"), List.of(new RgbImage(2, 2, new byte[12])),
        List.of(new byte[4]), null);
    Run run = evaluate("--model", MODEL.toString(), "--data", data.toString());
    assertEquals(2, run.status(), run.output());
    String output = run.output();
    assertTrue(output.contains("has labels background,circle,square,triangle") && output.contains("aeroplane"), output);
  }

  @Test
  void namesTheBadFileOfABrokenDataset(@TempDir Path dir) throws Exception {
    Path data = vocDataset(dir.resolve("voc"));
    Path mask = data.resolve("SegmentationClass/scene_1.png");
    Files.delete(mask);
    Run run = evaluate("--model", MODEL.toString(), "--data", data.toString());
    assertEquals(2, run.status(), run.output());
    String output = run.output();
    assertTrue(output.contains("error: missing files: " + mask), output);
  }
}
