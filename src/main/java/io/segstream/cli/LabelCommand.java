package io.segstream.cli;

import ai.djl.Device;
import io.segstream.image.Ffmpeg;
import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import io.segstream.inference.DjlSegmenter;
import io.segstream.inference.ModelConfig;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.SessionSettings;
import io.segstream.inference.TensorFlowRuntime;
import io.segstream.model.data.VocWriter;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream label}: a Pascal VOC dataset of real frames pseudo-labelled by a teacher model, with
 * train and val splits from different time ranges.
 */
@Command(
    name = "label",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a Pascal VOC-layout dataset (JPEGImages, SegmentationClass palette PNGs,",
      "ImageSets/Segmentation/{train,val}.txt, labels.txt, README.md) from real frames labelled by a teacher:",
      "any servable model (one segstream train wrote, or one imported with model import-tfjs).",
      "The masks are the teacher's predictions (pseudo-labels), recorded as such in the README.",
      "val is the last --val-fraction of the sampled frames in time order, so it never shares a moment with train."
    })
public final class LabelCommand implements Callable<Integer> {

  /** A local video's frames are far below this; it only stops a runaway stream. */
  private static final int MAX_FRAME_BYTES = 64 * 1024 * 1024;

  @Option(names = "--teacher", required = true, description = "model directory of the teacher")
  Path teacher;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--video", description = "a video ffmpeg reads; frames in time order")
    Path video;

    @Option(names = "--dir", description = "a folder of PNG/JPEG images, in file name order")
    Path dir;
  }

  @Option(names = "--out", required = true, description = "dataset folder to write")
  Path out;

  @Option(names = "--every", defaultValue = "10", description = "label every Nth frame (default: ${DEFAULT-VALUE})")
  int every;

  @Option(names = "--max-frames", defaultValue = "0", description = "stop after this many source frames, 0: all")
  int maxFrames;

  @Option(names = "--crop", split = ";", paramLabel = "W:H:X:Y",
      description = "label these windows of each frame (source pixels, ffmpeg's crop order; repeat or"
          + " separate by ';'); default: the whole frame")
  List<String> crops = new ArrayList<>();

  @Option(names = "--size", paramLabel = "WxH",
      description = "resize each window to this size before labelling (e.g. upscale small people); default: as is")
  String size;

  @Option(names = "--val-fraction", defaultValue = "0.25",
      description = "the last fraction of the sampled frames, in time order, that forms val (default: ${DEFAULT-VALUE})")
  double valFraction;

  @Option(names = "--ffmpeg", defaultValue = "ffmpeg", description = "ffmpeg executable for --video")
  String ffmpegExecutable;

  /** A window of a frame: {@code width x height} at ({@code x}, {@code y}). */
  record Window(int width, int height, int x, int y) {

    static Window parse(String text) {
      String[] parts = text.trim().split(":");
      try {
        if (parts.length == 4) {
          Window window = new Window(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
              Integer.parseInt(parts[2]), Integer.parseInt(parts[3]));
          if (window.width > 0 && window.height > 0 && window.x >= 0 && window.y >= 0) {
            return window;
          }
        }
      } catch (NumberFormatException e) {
        // fall through to the message below
      }
      throw new IllegalArgumentException("--crop must be W:H:X:Y with positive sizes, got '" + text + "'");
    }

    RgbImage cut(RgbImage frame, String frameName) {
      if (x + width > frame.width() || y + height > frame.height()) {
        throw new IllegalArgumentException("crop " + this + " reaches outside " + frameName + " ("
            + frame.width() + "x" + frame.height() + ")");
      }
      byte[] pixels = new byte[width * height * 3];
      for (int row = 0; row < height; row++) {
        System.arraycopy(frame.pixels(), ((y + row) * frame.width() + x) * 3, pixels, row * width * 3, width * 3);
      }
      return new RgbImage(width, height, pixels);
    }

    @Override
    public String toString() {
      return width + ":" + height + ":" + x + ":" + y;
    }
  }

  /** Gets the next source frame, or null at the end. */
  @FunctionalInterface
  private interface Frames {
    RgbImage next() throws IOException;
  }

  @Override
  public Integer call() throws Exception {
    try {
      return label();
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
  }

  private int label() throws IOException {
    if (every < 1 || maxFrames < 0 || valFraction < 0 || valFraction >= 1) {
      throw new IllegalArgumentException("need --every >= 1, --max-frames >= 0 and 0 <= --val-fraction < 1");
    }
    List<Window> windows = crops.stream().map(Window::parse).toList();
    int[] resize = size == null ? null : parseSize(size);
    ModelConfig config = ModelConfig.load(teacher);
    TensorFlowRuntime.engine();
    VocWriter voc = new VocWriter(out);
    List<List<String>> idsByFrame = new ArrayList<>();
    List<Integer> frameIndices = new ArrayList<>();
    int sourceFrames = 0;
    long start = System.nanoTime();
    try (DjlSegmenter segmenter = DjlSegmenter.load(config, Device.cpu(), SessionSettings.defaults());
        FrameSource frames = open()) {
      RgbImage frame;
      while ((maxFrames == 0 || sourceFrames < maxFrames) && (frame = frames.next()) != null) {
        int index = sourceFrames++;
        if (index % every != 0) {
          continue;
        }
        String frameName = frames.name(index);
        List<String> ids = new ArrayList<>();
        List<Window> cuts = windows.isEmpty() ? List.of(new Window(frame.width(), frame.height(), 0, 0)) : windows;
        for (int c = 0; c < cuts.size(); c++) {
          RgbImage image = cuts.get(c).cut(frame, frameName);
          if (resize != null) {
            image = resized(image, resize[0], resize[1]);
          }
          String id = cuts.size() == 1 ? frameName : frameName + "_c" + c;
          try {
            voc.write(id, image, segmenter.segment(image).classIds());
          } catch (SegmentationException e) {
            throw new IOException("teacher " + teacher + " failed on " + id + ": " + e.getMessage(), e);
          }
          ids.add(id);
        }
        idsByFrame.add(ids);
        frameIndices.add(index);
      }
    }
    if (idsByFrame.isEmpty()) {
      throw new IllegalArgumentException("no frames read from " + sourceName());
    }
    int valFrames = (int) Math.ceil(valFraction * idsByFrame.size());
    if (valFraction > 0 && valFrames == idsByFrame.size()) {
      valFrames = idsByFrame.size() - 1;
    }
    int trainFrames = idsByFrame.size() - valFrames;
    List<String> train = idsByFrame.subList(0, trainFrames).stream().flatMap(List::stream).toList();
    List<String> val = idsByFrame.subList(trainFrames, idsByFrame.size()).stream().flatMap(List::stream).toList();
    voc.writeSplit("train", train);
    voc.writeSplit("val", val);
    voc.writeLabels(config.labels());
    String trainRange = range(frameIndices.subList(0, trainFrames));
    String valRange = range(frameIndices.subList(trainFrames, frameIndices.size()));
    writeReadme(config, windows, resize, sourceFrames, idsByFrame.size(), trainRange + " (" + train.size() + " images)",
        valRange + " (" + val.size() + " images): a later time range than train");
    System.out.printf(Locale.ROOT, "labelled %d images from %d of %d frames of %s with %s %s in %.0f s%n",
        train.size() + val.size(), idsByFrame.size(), sourceFrames, sourceName(), config.name(), config.version(),
        (System.nanoTime() - start) / 1e9);
    System.out.printf("wrote %s: train %d images (%s), val %d images (%s)%n", out, train.size(), trainRange,
        val.size(), valRange);
    return 0;
  }

  /** "frames 0-590" (0-based source frame numbers, or file order for --dir), "none" when empty. */
  private static String range(List<Integer> frames) {
    return frames.isEmpty() ? "none" : "frames " + frames.get(0) + "-" + frames.get(frames.size() - 1);
  }

  private void writeReadme(ModelConfig config, List<Window> windows, int[] resize, int sourceFrames, int sampled,
      String train, String val) throws IOException {
    String text = String.join("\n",
        "# Pseudo-labelled dataset",
        "",
        "The masks in `SegmentationClass/` are **pseudo-labels**: predictions of the teacher model, not",
        "human annotations. Scores against them measure agreement with the teacher, not accuracy.",
        "",
        "| | |",
        "|---|---|",
        "| teacher | " + config.name() + " |",
        "| teacher version | " + config.version() + " |",
        "| teacher model dir | " + teacher.toAbsolutePath().normalize() + " |",
        "| labels | " + String.join(", ", config.labels()) + " |",
        "| source | " + sourceName() + " |",
        "| frames | every " + every + "th of " + sourceFrames + " read: " + sampled + " sampled (0-based numbers) |",
        "| windows | " + (windows.isEmpty() ? "whole frame" : windows.stream().map(Window::toString)
            .reduce((a, b) -> a + "; " + b).orElseThrow() + " (W:H:X:Y)") + " |",
        "| resized to | " + (resize == null ? "as is" : resize[0] + "x" + resize[1]) + " |",
        "| train | " + train + " |",
        "| val | " + val + " |",
        "| written | " + Instant.now() + " by `segstream label` |",
        "");
    Files.writeString(out.resolve("README.md"), text);
  }

  private String sourceName() {
    return (source.video != null ? source.video : source.dir).toString();
  }

  /** Decoded frames of the video or the folder, with a name per frame index. */
  private interface FrameSource extends Frames, AutoCloseable {
    String name(int index);

    @Override
    void close() throws IOException;
  }

  private FrameSource open() throws IOException {
    if (source.video != null) {
      Ffmpeg.Decoding decoding = new Ffmpeg(ffmpegExecutable).decode(source.video,
          new Ffmpeg.DecodeOptions(0, 0, null, maxFrames, 2), MAX_FRAME_BYTES);
      String stem = stem(source.video.getFileName().toString());
      return new FrameSource() {
        @Override
        public RgbImage next() throws IOException {
          byte[] jpeg = decoding.next();
          return jpeg == null ? null : Images.toRgb(ImageIO.read(new ByteArrayInputStream(jpeg)));
        }

        @Override
        public String name(int index) {
          return String.format(Locale.ROOT, "%s_f%06d", stem, index);
        }

        @Override
        public void close() throws IOException {
          decoding.close();
        }
      };
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(source.dir)) {
      files = listing.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)"))
          .sorted().toList();
    }
    return new FrameSource() {
      private int next;

      @Override
      public RgbImage next() throws IOException {
        if (next >= files.size()) {
          return null;
        }
        Path file = files.get(next++);
        BufferedImage image = ImageIO.read(file.toFile());
        if (image == null) {
          throw new IOException("unreadable image " + file);
        }
        return Images.toRgb(image);
      }

      @Override
      public String name(int index) {
        return stem(files.get(index).getFileName().toString());
      }

      @Override
      public void close() {}
    };
  }

  private static String stem(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }

  static int[] parseSize(String text) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split("x");
    try {
      if (parts.length == 2 && Integer.parseInt(parts[0]) > 0 && Integer.parseInt(parts[1]) > 0) {
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("--size must be WxH, got '" + text + "'");
  }

  /** {@code image} scaled to {@code width x height}, bilinear (Java2D). */
  private static RgbImage resized(RgbImage image, int width, int height) {
    BufferedImage target = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = target.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(Images.toBufferedImage(image), 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return Images.toRgb(target);
  }
}
