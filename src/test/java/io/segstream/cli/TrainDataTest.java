package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.RgbImage;
import io.segstream.inference.ModelConfig;
import io.segstream.model.SyntheticScenes;
import io.segstream.model.SyntheticScenes.Scene;
import io.segstream.model.data.Datasets;
import io.segstream.testing.CapturedOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code train --data} and {@code --init-from} end to end on a tiny generated VOC dataset. */
@Timeout(300)
class TrainDataTest {

  private static final List<String> LABELS = List.of("background", "shape");

  private record Run(int status, String output) {}

  private static Run train(String... args) {
    try (CapturedOutput captured = new CapturedOutput()) {
      int status = new CommandLine(new TrainCommand()).execute(args);
      return new Run(status, captured.text());
    }
  }

  private static Path dataset(Path root) throws Exception {
    SyntheticScenes scenes = new SyntheticScenes();
    List<String> ids = new ArrayList<>();
    List<RgbImage> images = new ArrayList<>();
    List<byte[]> masks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Scene scene = scenes.generate(3_000 + i, 40, 36);
      byte[] mask = scene.labels().clone();
      for (int p = 0; p < mask.length; p++) {
        mask[p] = (byte) (mask[p] == 0 ? 0 : 1);
      }
      ids.add("img" + i);
      images.add(scene.image());
      masks.add(mask);
    }
    Datasets.writeVoc(root, ids, images, masks, LABELS);
    Files.write(root.resolve("ImageSets/Segmentation/train.txt"), ids.subList(0, 4));
    Files.write(root.resolve("ImageSets/Segmentation/val.txt"), ids.subList(4, 6));
    return root;
  }

  @Test
  void trainsOnADatasetScoresValidationResumesAndTransfers(@TempDir Path dir) throws Exception {
    Path data = dataset(dir.resolve("voc"));
    Path model = dir.resolve("student");
    String[] args = {"--data", data.toString(), "--steps", "4", "--width", "2", "--batch", "2", "--crop", "32",
        "--val-every", "2", "--checkpoint-every", "2", "--checkpoint-dir", dir.resolve("ckpt").toString(),
        "--out", model.toString(), "--threads", "1"};
    Run run = train(args);
    assertEquals(0, run.status(), run.output());
    assertTrue(run.output().contains("training on 4 images of " + data), run.output());
    assertTrue(run.output().contains("step 2: val mIoU "), run.output());
    assertTrue(run.output().contains("step 4: val mIoU "), run.output());
    assertEquals(LABELS, ModelConfig.load(model).labels(), "the model predicts the dataset's labels");

    Run again = train(args);
    assertEquals(0, again.status(), again.output());
    assertTrue(again.output().contains("resuming from step 4"), again.output());

    Path transferred = dir.resolve("transferred");
    Run transfer = train("--data", data.toString(), "--init-from", model.toString(), "--freeze-backbone-steps", "1",
        "--steps", "2", "--batch", "2", "--crop", "32", "--checkpoint-every", "0", "--out", transferred.toString(),
        "--threads", "1");
    assertEquals(0, transfer.status(), transfer.output());
    assertTrue(transfer.output().contains("trained FCN-8s width 2"), "width comes from --init-from: " + transfer.output());

    Run missing = train("--data", dir.resolve("nothing").toString(), "--steps", "1", "--out", dir.resolve("x").toString());
    assertEquals(2, missing.status(), missing.output());
    assertTrue(missing.output().contains("is not a labeled dataset"), missing.output());
  }
}
