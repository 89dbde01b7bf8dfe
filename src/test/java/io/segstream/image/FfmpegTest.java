package io.segstream.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ImageEncoding;
import io.segstream.model.SyntheticScenes;
import io.segstream.testing.Material;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ffmpeg decoding real video (vtest.avi from Debian's opencv-doc: people walking, 768x576, 10 fps)
 * into the JPEG stream segstream reads, and assembling frames into animations. Skipped when ffmpeg or
 * the video is missing (scripts/fetch-test-photos.sh installs both when it can).
 */
@Timeout(120)
public class FfmpegTest {

  /** The test video: a system property can point elsewhere. */
  public static final Path VTEST = TestPhotos.DIR.resolve("vtest.avi");

  private final Ffmpeg ffmpeg = new Ffmpeg("ffmpeg");

  /** For every test that decodes {@link #VTEST}: skips without ffmpeg or the video (fails under CI). */
  public static void requireFfmpegAndVideo() {
    Material.require(new Ffmpeg("ffmpeg").version().isPresent(),
        "ffmpeg is not installed (scripts/fetch-test-photos.sh, or apt-get install ffmpeg)");
    Material.require(Files.isReadable(VTEST),
        VTEST + " missing (scripts/fetch-test-photos.sh, or apt-get install opencv-doc)");
  }

  @BeforeEach
  void requireMaterial() {
    requireFfmpegAndVideo();
  }

  @Test
  void theMjpegPipeOfFfmpegSplitsIntoExactlyTheFramesAskedFor() throws Exception {
    // What a user pipes into `segstream produce --stdin`, byte for byte.
    Process process = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-i", VTEST.toString(),
        "-vf", "scale=160:120", "-frames:v", "7", "-f", "image2pipe", "-c:v", "mjpeg", "-")
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    byte[] stream = process.getInputStream().readAllBytes();
    assertEquals(0, process.waitFor());

    List<byte[]> frames = new ArrayList<>();
    try (JpegStreamReader reader = new JpegStreamReader(new ByteArrayInputStream(stream), 1 << 20)) {
      for (byte[] jpeg = reader.next(); jpeg != null; jpeg = reader.next()) {
        frames.add(jpeg);
      }
    }
    assertEquals(7, frames.size());
    assertEquals(stream.length, frames.stream().mapToInt(f -> f.length).sum(), "nothing between or after the frames");
    for (byte[] jpeg : frames) {
      assertEquals(new ImageProbe(ImageEncoding.JPEG, 160, 120), ImageProbe.probe(jpeg));
      RgbImage image = new FrameDecoder(1 << 20, 1 << 20).decode(ImageEncoding.JPEG, jpeg, 160, 120);
      assertEquals(160 * 120 * 3, image.pixels().length);
    }
  }

  @Test
  void decodingSamplesScalesAndStopsAtTheFrameLimit() throws Exception {
    // 768x576 at 10 fps; 5 fps over the first 3 frames' worth, scaled to 192 wide (144 high, same aspect).
    Ffmpeg.DecodeOptions options = new Ffmpeg.DecodeOptions(5, 192, null, 3, 3);
    try (Ffmpeg.Decoding decoding = ffmpeg.decode(VTEST, options, 1 << 20)) {
      for (int i = 0; i < 3; i++) {
        assertEquals(new ImageProbe(ImageEncoding.JPEG, 192, 144), ImageProbe.probe(decoding.next()));
      }
      assertNull(decoding.next());
    }
  }

  @Test
  void aCropFilterRunsOnTheSourcePixelsBeforeScaling() throws Exception {
    Ffmpeg.DecodeOptions options = new Ffmpeg.DecodeOptions(10, 100, "crop=288:144:280:120", 2, 3);
    try (Ffmpeg.Decoding decoding = ffmpeg.decode(VTEST, options, 1 << 20)) {
      assertEquals(new ImageProbe(ImageEncoding.JPEG, 100, 50), ImageProbe.probe(decoding.next()));
    }
  }

  @Test
  void aFileThatIsNoVideoFailsWithFfmpegsReason(@TempDir Path dir) throws Exception {
    Path notVideo = Files.writeString(dir.resolve("notes.avi"), "not a video at all");
    try (Ffmpeg.Decoding decoding = ffmpeg.decode(notVideo, new Ffmpeg.DecodeOptions(0, 0, null, 0, 3), 1 << 20)) {
      IOException e = assertThrows(IOException.class, decoding::next);
      assertTrue(e.getMessage().startsWith("ffmpeg exited with status"), e.getMessage());
      assertTrue(e.getMessage().contains("notes.avi"), "ffmpeg's own message names the file: " + e.getMessage());
    }
  }

  @Test
  void aMissingExecutableIsExplained(@TempDir Path dir) {
    Ffmpeg missing = new Ffmpeg(dir.resolve("no-ffmpeg-here").toString());
    assertTrue(missing.version().isEmpty());
    IOException e = assertThrows(IOException.class,
        () -> missing.decode(VTEST, new Ffmpeg.DecodeOptions(0, 0, null, 1, 3), 1 << 20));
    assertTrue(e.getMessage().contains("is ffmpeg installed?"), e.getMessage());
  }

  @Test
  void framesBecomeAnAnimatedGifAndAnMp4ThatDecodeBackFrameForFrame(@TempDir Path dir) throws Exception {
    SyntheticScenes scenes = new SyntheticScenes();
    List<Path> pngs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pngs.add(Files.write(dir.resolve("f" + i + ".png"), Images.png(scenes.generate(i, 64, 48).image())));
    }
    for (String name : List.of("a.gif", "a.mp4")) {
      Path animation = dir.resolve(name);
      ffmpeg.animate(pngs, 4, animation);
      int frames = 0;
      try (Ffmpeg.Decoding decoding = ffmpeg.decode(animation, new Ffmpeg.DecodeOptions(0, 0, null, 0, 3), 1 << 20)) {
        for (byte[] jpeg = decoding.next(); jpeg != null; jpeg = decoding.next()) {
          assertEquals(new ImageProbe(ImageEncoding.JPEG, 64, 48), ImageProbe.probe(jpeg), name);
          frames++;
        }
      }
      assertEquals(4, frames, name);
    }
  }
}
