package io.segstream.cli;

import io.segstream.bench.DecodeBench;
import io.segstream.bench.PredictorThroughput;
import io.segstream.bench.TensorFlowJpegDecoder;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.image.Ffmpeg;
import io.segstream.image.FrameDecoder;
import io.segstream.image.Images;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * JPEG decoding side by side: ImageIO as segstream's {@code FrameDecoder} runs it (header checks,
 * straight into RGB), ImageIO alone, and TensorFlow's {@code DecodeJpeg}, on real video frames made
 * with ffmpeg. Writes {@code decode.md}.
 */
@Command(
    name = "decode",
    mixinStandardHelpOptions = true,
    description = "JPEG decode time per frame: ImageIO (as FrameDecoder runs it, and alone) vs TensorFlow DecodeJpeg.")
public final class DecodeBenchCommand implements Callable<Integer> {

  @Option(names = "--video", description = "Video the frames come from (default: ${DEFAULT-VALUE}).")
  Path video = Path.of("/usr/share/doc/opencv-doc/examples/data/vtest.avi");

  @Option(names = "--sizes", split = ",", description = "Frame sizes WxH, scaled from the video (default: ${DEFAULT-VALUE}).")
  List<String> sizes = List.of("640x360", "1280x720");

  @Option(names = "--frames", description = "Distinct frames per size (default: ${DEFAULT-VALUE}).")
  int frames = 40;

  @Option(names = "--rounds", description = "Measured passes over the frames per decoder (default: ${DEFAULT-VALUE}).")
  int rounds = 5;

  @Option(names = "--quality", description = "ffmpeg mjpeg -q:v, 2 (best) to 31 (default: ${DEFAULT-VALUE}).")
  int quality = 4;

  @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("target/bench");

  @Override
  public Integer call() throws Exception {
    SegstreamConfig config = SegstreamConfig.load(null, Map.of());
    int maxFrameBytes = config.getInt(SegstreamConfig.MAX_FRAME_BYTES);
    long maxPixels = config.getLong(SegstreamConfig.MAX_FRAME_PIXELS);
    TensorFlowJpegDecoder tensorFlow = new TensorFlowJpegDecoder();
    FrameDecoder frameDecoder = new FrameDecoder(maxFrameBytes, maxPixels);
    List<DecodeBench.Result> results = new ArrayList<>();
    long bytes = 0;
    for (String size : sizes) {
      int[] wh = PredictorThroughput.parseSize(size);
      List<byte[]> jpegs = frames(wh[0], wh[1], maxFrameBytes);
      bytes = jpegs.stream().mapToLong(j -> j.length).sum() / jpegs.size();
      List<DecodeBench.Candidate> candidates = List.of(
          new DecodeBench.Candidate("ImageIO, as FrameDecoder runs it",
              jpeg -> frameDecoder.decode(ImageEncoding.JPEG, jpeg, wh[0], wh[1])),
          new DecodeBench.Candidate("ImageIO.read alone",
              jpeg -> Images.toRgb(ImageIO.read(new ByteArrayInputStream(jpeg)))),
          new DecodeBench.Candidate("TensorFlow DecodeJpeg alone", tensorFlow::decode));
      List<DecodeBench.Result> sized = DecodeBench.measure(size, jpegs, candidates, rounds);
      results.addAll(sized);
      System.out.printf(Locale.ROOT, "%s (%d frames, %d bytes on average):%n", size, jpegs.size(), bytes);
      sized.forEach(r -> System.out.printf(Locale.ROOT, "  %-45s %.2f ms/frame wall, %.2f CPU%n",
          r.decoder(), r.wallMsPerFrame(), r.cpuMsPerFrame()));
    }
    String page = "# JPEG decoding\n\n"
        + String.format(Locale.ROOT, "%d frames of %s per size, ffmpeg mjpeg -q:v %d, %d measured rounds after one"
            + " warm-up, one thread, decoders taking turns; %d cores, %s.%n%n", frames, video, quality, rounds,
            Runtime.getRuntime().availableProcessors(), Instant.now())
        + DecodeBench.markdown(results);
    Files.createDirectories(out);
    Files.writeString(out.resolve("decode.md"), page);
    System.out.println("Wrote " + out.resolve("decode.md"));
    return 0;
  }

  private List<byte[]> frames(int width, int height, int maxBytes) throws Exception {
    List<byte[]> jpegs = new ArrayList<>();
    Ffmpeg ffmpeg = new Ffmpeg("ffmpeg");
    // Every 5th source frame, so the frames differ; scaled (and stretched) to exactly width x height.
    Ffmpeg.DecodeOptions options = new Ffmpeg.DecodeOptions(
        0, 0, "select='not(mod(n\\,5))',scale=" + width + ":" + height, frames, quality);
    try (Ffmpeg.Decoding decoding = ffmpeg.decode(video, options, maxBytes)) {
      for (byte[] jpeg = decoding.next(); jpeg != null; jpeg = decoding.next()) {
        jpegs.add(jpeg);
      }
    }
    return jpegs;
  }
}
