package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.FfmpegTest;
import io.segstream.image.Images;
import io.segstream.model.SyntheticScenes;
import io.segstream.model.data.LabeledDataset;
import io.segstream.model.data.LabeledImage;
import io.segstream.testing.CapturedOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code label}: frames labelled by a teacher (here models/fcn-default) into a VOC dataset. */
@Timeout(180)
class LabelCommandTest {

  private static final Path TEACHER =
      Paths.get(System.getProperty("segstream.repo.dir", "."), "models", "fcn-default");

  private record Run(int status, String output) {}

  private static Run label(String... args) {
    try (CapturedOutput captured = new CapturedOutput()) {
      int status = new CommandLine(new LabelCommand()).execute(args);
      return new Run(status, captured.text());
    }
  }

  @Test
  void labelsAFolderOfFramesIntoCroppedResizedVocSplitsByTime(@TempDir Path dir) throws Exception {
    Path frames = Files.createDirectories(dir.resolve("frames"));
    SyntheticScenes scenes = new SyntheticScenes();
    for (int i = 0; i < 4; i++) {
      Files.write(frames.resolve("frame" + i + ".png"), Images.png(scenes.generate(40 + i, 64, 48).image()));
    }
    Path out = dir.resolve("labelled");
    Run run = label("--teacher", TEACHER.toString(), "--dir", frames.toString(), "--out", out.toString(),
        "--every", "1", "--crop", "32:32:0:0;32:32:30:14", "--size", "48x40", "--val-fraction", "0.25");
    assertEquals(0, run.status(), run.output());

    LabeledDataset train = LabeledDataset.open(out, "train");
    LabeledDataset val = LabeledDataset.open(out, "val");
    assertEquals(SyntheticScenes.CLASS_LABELS, train.labels(), "the teacher's labels");
    assertEquals(List.of("frame0_c0", "frame0_c1", "frame1_c0", "frame1_c1", "frame2_c0", "frame2_c1"),
        train.entries().stream().map(LabeledDataset.Entry::name).toList());
    assertEquals(List.of("frame3_c0", "frame3_c1"), val.entries().stream().map(LabeledDataset.Entry::name).toList(),
        "val is the last frames in time");
    LabeledImage first = train.read(0);
    assertEquals(48, first.image().width());
    assertEquals(40, first.image().height());
    boolean shapes = false;
    for (byte id : first.truth()) {
      shapes |= id != 0;
    }
    assertTrue(shapes, "the teacher found shapes");

    String readme = Files.readString(out.resolve("README.md"));
    assertTrue(readme.contains("pseudo-labels"), readme);
    assertTrue(readme.contains("| teacher | fcn-default |"), readme);
    assertTrue(readme.contains("| teacher version | fcn8s-w8-seed42-steps20000 |"), readme);
    assertTrue(readme.contains("| train | frames 0-2 (6 images) |"), readme);
    assertTrue(readme.contains("| val | frames 3-3 (2 images): a later time range than train |"), readme);
  }

  @Test
  void labelsEveryNthFrameOfAVideo(@TempDir Path dir) throws Exception {
    FfmpegTest.requireFfmpegAndVideo();
    Path out = dir.resolve("vtest");
    Run run = label("--teacher", TEACHER.toString(), "--video", FfmpegTest.VTEST.toString(), "--out", out.toString(),
        "--every", "2", "--max-frames", "6", "--crop", "96:96:280:120", "--val-fraction", "0.3");
    assertEquals(0, run.status(), run.output());
    assertEquals(List.of("vtest_f000000", "vtest_f000002"),
        LabeledDataset.open(out, "train").entries().stream().map(LabeledDataset.Entry::name).toList());
    assertEquals(List.of("vtest_f000004"),
        LabeledDataset.open(out, "val").entries().stream().map(LabeledDataset.Entry::name).toList());
    assertEquals(96, LabeledDataset.open(out, "val").read(0).image().width());
    assertTrue(Files.readString(out.resolve("README.md")).contains("| val | frames 4-4 (1 images)"));
  }

  @Test
  void refusesACropOutsideTheFrame(@TempDir Path dir) throws Exception {
    Path frames = Files.createDirectories(dir.resolve("frames"));
    Files.write(frames.resolve("a.png"), Images.png(new SyntheticScenes().generate(1, 32, 32).image()));
    Run run = label("--teacher", TEACHER.toString(), "--dir", frames.toString(), "--out", dir.resolve("o").toString(),
        "--crop", "40:40:0:0");
    assertEquals(2, run.status(), run.output());
    assertTrue(run.output().contains("crop 40:40:0:0 reaches outside a"), run.output());
  }
}
