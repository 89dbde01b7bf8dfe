package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.image.Ffmpeg;
import io.segstream.inference.Segmenter;
import io.segstream.ops.EmbeddedKafkaBroker;
import io.segstream.topology.SegstreamApp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Everything in one process: a Kafka broker, the processor, and a producer of frames: synthetic ones
 * whose ground truth is known, so the demo can score the masks it gets back, or a real video decoded
 * by ffmpeg, whose masks people judge by looking at the overlays.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run everything in this JVM: embedded Kafka, the processor, and synthetic frames",
      "or a video. Writes overlay PNGs, class-areas.csv and summary.txt to --output.",
      "Synthetic frames are scored against their ground truth. A real video:",
      "  segstream demo --model models/selfie --video vtest.avi --video-filter crop=288:288:280:120"
    })
public final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ConfigOptions configOptions;

  @Option(names = "--model", defaultValue = SegstreamConfig.DEFAULT_MODEL_DIR, paramLabel = "DIR",
      description = "Model directory (SavedModel + segstream-model.properties). Default: ${DEFAULT-VALUE}.")
  Path model;

  @Option(names = "--oracle",
      description = "Segment with the synthetic ground truth instead of a model (checks the pipeline alone).")
  boolean oracle;

  @Option(names = "--frames", defaultValue = "200",
      description = "Frames to send; with --video, at most this many (0: the whole video). Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--streams", defaultValue = "2", description = "Camera streams (record keys). Default: ${DEFAULT-VALUE}.")
  int streams;

  @Option(names = "--width", defaultValue = "128", description = "Synthetic frame width. Default: ${DEFAULT-VALUE}.")
  int width;

  @Option(names = "--height", defaultValue = "128", description = "Synthetic frame height. Default: ${DEFAULT-VALUE}.")
  int height;

  @Option(names = "--encoding", defaultValue = "PNG",
      description = "Synthetic frame encoding: JPEG, PNG or RAW_RGB8 (video frames are JPEG). Default: ${DEFAULT-VALUE}.")
  ImageEncoding encoding;

  @Option(names = {"--video", "--input-video"}, paramLabel = "FILE",
      description = "Send this video's frames instead of synthetic ones (decoded by ffmpeg, which must be installed;"
          + " any format ffmpeg reads). No ground truth: the summary has rates and class areas, not scores.")
  Path video;

  @Option(names = "--video-fps", defaultValue = "10", paramLabel = "FPS",
      description = "Frames per second taken from the video (and the animation's rate). Default: ${DEFAULT-VALUE}.")
  double videoFps;

  @Option(names = "--fps", defaultValue = "25", paramLabel = "FPS",
      description = "Frames per second each synthetic camera sends, by capture time, as a live camera would"
          + " (a video is sent at --video-fps). Default: ${DEFAULT-VALUE}.")
  double fps;

  @Option(names = "--burst",
      description = "Send every frame at once instead of at the camera's rate: shows throughput, and the"
          + " end-to-end latency is then mostly time spent queueing.")
  boolean burst;

  @Option(names = "--video-width", defaultValue = "384", paramLabel = "PIXELS",
      description = "Scale video frames to this width, keeping the aspect ratio; 0: as is. Default: ${DEFAULT-VALUE}.")
  int videoWidth;

  @Option(names = "--video-filter", paramLabel = "FILTERS",
      description = "ffmpeg filters applied to the video first, before sampling and scaling, e.g. crop=384:288:384:0"
          + " (width:height:x:y of the source) to look at a part of the scene closer.")
  String videoFilter;

  @Option(names = "--animation", paramLabel = "FORMAT",
      description = "Also assemble the overlays into overlays.gif or overlays.mp4 with ffmpeg: gif, mp4 or none."
          + " Default: mp4 with --video, none otherwise.")
  DemoAnimation.Format animation;

  @Option(names = "--ffmpeg", defaultValue = "ffmpeg", paramLabel = "PATH",
      description = "The ffmpeg executable. Default: ${DEFAULT-VALUE}.")
  String ffmpegExecutable;

  @Option(names = {"-o", "--output"}, defaultValue = "target/demo", paramLabel = "DIR",
      description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path output;

  @Option(names = "--overlays",
      description = "How many overlay PNGs to write (-1: all). Default: 24, all with --video.")
  Integer overlays;

  @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
      description = "Give up waiting for masks after this long. Default: ${DEFAULT-VALUE}.")
  long timeoutSeconds;

  private final SegmenterFactory segmenterFactory;

  public DemoCommand() {
    this(SegmenterFactory.modelBacked(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
  }

  DemoCommand(SegmenterFactory segmenterFactory) {
    this.segmenterFactory = segmenterFactory;
  }

  @Override
  public Integer call() throws Exception {
    Ffmpeg ffmpeg = new Ffmpeg(ffmpegExecutable);
    validate(ffmpeg);
    // The demo prints a progress bar and a summary; Kafka's warnings about its one-node setup would
    // only get in the way.
    CommandLines.defaultKafkaLogLevel("error");
    Files.createDirectories(output);

    Map<String, String> defaults = Map.of(
        SegstreamConfig.APPLICATION_ID, "segstream-demo",
        SegstreamConfig.MODEL_DIR, model.toString(),
        SegstreamConfig.TOPIC_PARTITIONS, Integer.toString(Math.max(2, streams)),
        "num.stream.threads", "2");
    SegstreamConfig settings = configOptions.load(defaults);
    DemoSource source;
    SyntheticDemoSource synthetic = null;
    if (video != null) {
      source = new VideoDemoSource(ffmpeg, video,
          new Ffmpeg.DecodeOptions(videoFps, videoWidth, videoFilter, frames, 3),
          settings.getInt(SegstreamConfig.MAX_FRAME_BYTES), burst ? 0 : videoFps);
    } else {
      source = synthetic = new SyntheticDemoSource(frames, streams, width, height, encoding, burst ? 0 : fps);
    }
    // The model first: a missing model should fail before a broker is started for nothing.
    try (Segmenter segmenter = oracle ? synthetic.oracle() : segmenterFactory.open(settings)) {
      System.err.printf("model: %s %s (%s)%n", segmenter.modelInfo().name(), segmenter.modelInfo().version(),
          String.join(", ", segmenter.modelInfo().classLabels()));
      System.err.println("frames: " + source.description());
      long brokerStart = System.nanoTime();
      System.err.println("starting an embedded Kafka broker ...");
      try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
        System.err.printf(Locale.ROOT, "Kafka is up at %s (%.1f s)%n", broker.bootstrapServers(), seconds(brokerStart));
        Map<String, Object> props = new HashMap<>(settings.originals());
        props.put(SegstreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        SegstreamConfig config = new SegstreamConfig(props);
        try (SegstreamApp app = new SegstreamApp(config, segmenter)) {
          app.start();
          if (!app.awaitRunning(Duration.ofSeconds(60))) {
            System.err.println("the processor did not start; see the log above");
            return 1;
          }
          return stream(config, source, ffmpeg);
        }
      }
    }
  }

  /** Sends the frames, collects what comes back, writes the outputs; the exit code. */
  private int stream(SegstreamConfig config, DemoSource source, Ffmpeg ffmpeg) throws Exception {
    DemoResults results = new DemoResults(source.description(), sendingNote());
    ClassAreasCsv csv = new ClassAreasCsv();
    int overlayLimit = overlays != null ? overlays : video != null ? -1 : 24;
    DemoRoundTrip roundTrip = new DemoRoundTrip(config, source, results, csv,
        new OverlayFiles(output.resolve("overlays")), overlayLimit);
    DemoRoundTrip.Outcome outcome = roundTrip.run(Duration.ofSeconds(timeoutSeconds));
    if (outcome.sent() < 0) {
      System.err.println("timed out before all frames were sent (--timeout " + timeoutSeconds + ")");
    }
    csv.write(output.resolve("class-areas.csv"));
    String summary = results.summary(Math.max(outcome.sent(), 0), outcome.elapsedSeconds());
    Files.writeString(output.resolve("summary.txt"), summary);
    System.out.print(summary);
    DemoAnimation.Format format =
        animation != null ? animation : video != null ? DemoAnimation.Format.mp4 : DemoAnimation.Format.none;
    if (format != DemoAnimation.Format.none) {
      System.out.println(DemoAnimation.write(ffmpeg, format, roundTrip.overlayFiles(), video != null ? videoFps : 5, output));
    }
    System.out.println("outputs: " + output.toAbsolutePath());
    return outcome.everyFrameAnswered() ? 0 : 1;
  }

  /** Refuses option combinations that cannot work, before anything starts. */
  private void validate(Ffmpeg ffmpeg) {
    if (frames < 0 || (video == null && frames < 1) || streams < 1 || width < 8 || height < 8 || fps <= 0) {
      throw new ParameterException(spec.commandLine(),
          "need --frames >= 1, --streams >= 1, --fps > 0 and a size of at least 8x8");
    }
    if (oracle && encoding == ImageEncoding.JPEG) {
      throw new ParameterException(spec.commandLine(),
          "--oracle recognises frames by their exact pixels; use --encoding PNG or RAW_RGB8");
    }
    if (video != null) {
      if (oracle) {
        throw new ParameterException(spec.commandLine(), "--oracle knows synthetic scenes only, not --video");
      }
      if (videoFps <= 0 || videoWidth < 0) {
        throw new ParameterException(spec.commandLine(), "need --video-fps > 0 and --video-width >= 0");
      }
      if (!Files.isReadable(video)) {
        throw new ParameterException(spec.commandLine(), "cannot read video " + video);
      }
      if (ffmpeg.version().isEmpty()) {
        throw new ParameterException(spec.commandLine(),
            "--video needs ffmpeg, and '" + ffmpegExecutable + "' does not run (apt-get install ffmpeg, or --ffmpeg PATH)");
      }
    }
  }

  /** How the frames were sent, for the latency line of the summary. */
  private String sendingNote() {
    if (burst) {
      return "frames sent as a burst: latency is mostly queueing";
    }
    if (video != null) {
      return String.format(Locale.ROOT, "the video sent live at %s frames/s", videoFps);
    }
    return String.format(Locale.ROOT, "each of %d camera(s) live at %.1f frames/s, %.1f in all", streams, fps,
        fps * streams);
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }
}
