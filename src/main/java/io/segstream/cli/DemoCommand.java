package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.Ffmpeg;
import io.segstream.image.MaskCodec;
import io.segstream.image.RgbImage;
import io.segstream.inference.Segmenter;
import io.segstream.ops.EmbeddedKafkaBroker;
import io.segstream.topology.DeadLetters;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
  Animation animation;

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

  /** Formats of the overlay animation. */
  enum Animation { gif, mp4, none }

  @Override
  public Integer call() throws Exception {
    if (frames < 0 || (video == null && frames < 1) || streams < 1 || width < 8 || height < 8 || fps <= 0) {
      throw new ParameterException(spec.commandLine(),
          "need --frames >= 1, --streams >= 1, --fps > 0 and a size of at least 8x8");
    }
    if (oracle && encoding == ImageEncoding.JPEG) {
      throw new ParameterException(spec.commandLine(),
          "--oracle recognises frames by their exact pixels; use --encoding PNG or RAW_RGB8");
    }
    Ffmpeg ffmpeg = new Ffmpeg(ffmpegExecutable);
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
    Topics topics = Topics.fromConfig(config);
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    SkippingReader<SegmentationMask> maskReader = SkippingReader.of(serdes, topics.masks(), SegmentationMask.class);
    SkippingReader<ClassAreas> areaReader = SkippingReader.of(serdes, topics.areas(), ClassAreas.class);
    OverlayFiles overlayFiles = new OverlayFiles(output.resolve("overlays"));
    int overlayLimit = overlays != null ? overlays : video != null ? -1 : 24;
    Map<String, Path> overlaysWritten = new TreeMap<>();
    Results results = new Results(source.description(), sendingNote());
    StringBuilder csv = new StringBuilder(
        "stream_id,frame_seq,class_id,label,pixel_count,fraction,min_x,min_y,max_x,max_y,centroid_x,centroid_y\n");

    Map<String, Object> consumerProps = config.kafkaClientSettings(ConsumerConfig.configNames());
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(topics.masks(), topics.areas(), topics.deadLetters())) {
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);

      long start = System.nanoTime();
      CompletableFuture<Long> producing = CompletableFuture.supplyAsync(() -> produce(config, topics, source));
      Progress progress = new Progress(System.err, source.expectedFrames(), "frames");
      long deadline = start + timeoutSeconds * 1_000_000_000L;
      long lastMaskNanos = start;
      long sent = -1; // known once the producer is done
      while (System.nanoTime() < deadline) {
        if (sent < 0 && producing.isDone()) {
          sent = sentCount(producing);
          progress.total(sent);
        }
        if (sent >= 0 && results.masks + results.deadLetters >= sent && results.areaFrames >= results.masks) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (record.topic().equals(topics.masks())) {
            SegmentationMask mask = maskReader.read(record);
            if (mask == null) {
              continue;
            }
            MaskCodec.Mask decoded = MaskCodec.decode(mask);
            results.add(mask, decoded, source.truth(mask.getStreamId(), mask.getFrameSeq()), Instant.now());
            RgbImage image = source.takeImage(mask.getStreamId(), mask.getFrameSeq());
            if (overlayLimit < 0 || results.masks <= overlayLimit) {
              if (image != null && (image.width() != decoded.width() || image.height() != decoded.height())) {
                image = null; // the colourised mask alone, rather than no overlay
              }
              overlaysWritten.put(String.format(Locale.ROOT, "%s#%012d", mask.getStreamId(), mask.getFrameSeq()),
                  overlayFiles.write(mask.getStreamId(), mask.getFrameSeq(), image, decoded));
            }
            lastMaskNanos = System.nanoTime();
          } else if (record.topic().equals(topics.areas())) {
            ClassAreas areas = areaReader.read(record);
            if (areas == null) {
              continue;
            }
            results.add(areas);
            for (ClassArea a : areas.getAreas()) {
              csv.append(String.format(Locale.ROOT, "%s,%d,%d,%s,%d,%.6f,%d,%d,%d,%d,%.2f,%.2f%n",
                  areas.getStreamId(), areas.getFrameSeq(), a.getClassId(), a.getLabel(), a.getPixelCount(),
                  a.getFraction(), a.getMinX(), a.getMinY(), a.getMaxX(), a.getMaxY(), a.getCentroidX(),
                  a.getCentroidY()));
            }
          } else {
            results.deadLetters++;
            System.err.printf("%ndead letter: %s: %s%n", DeadLetters.header(record.headers(), DeadLetters.CODE),
                DeadLetters.header(record.headers(), DeadLetters.REASON));
          }
        }
        progress.update(results.masks + results.deadLetters);
      }
      progress.finish(results.masks + results.deadLetters);
      maskReader.report().ifPresent(System.err::println);
      areaReader.report().ifPresent(System.err::println);
      if (sent < 0) {
        producing.cancel(true);
        System.err.println("timed out before all frames were sent (--timeout " + timeoutSeconds + ")");
      }
      double elapsed = (lastMaskNanos - start) / 1e9;
      Files.writeString(output.resolve("class-areas.csv"), csv);
      String summary = results.summary(Math.max(sent, 0), elapsed);
      Files.writeString(output.resolve("summary.txt"), summary);
      System.out.print(summary);
      writeAnimation(ffmpeg, new ArrayList<>(overlaysWritten.values()));
      System.out.println("outputs: " + output.toAbsolutePath());
      return sent >= 0 && results.masks + results.deadLetters >= sent ? 0 : 1;
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

  /** How many frames the finished producer sent; its failure (e.g. ffmpeg's) as the command's. */
  private static long sentCount(CompletableFuture<Long> producing) throws Exception {
    try {
      return producing.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() instanceof UncheckedIOException unchecked ? unchecked.getCause() : e.getCause();
      throw cause instanceof Exception exception ? exception : e;
    }
  }

  private long produce(SegstreamConfig config, Topics topics, DemoSource source) {
    try (KafkaProducer<String, ImageFrame> producer = FrameProducers.create(config)) {
      long sent = source.send(frame -> producer.send(new ProducerRecord<>(topics.frames(), frame.getStreamId(), frame)));
      producer.flush();
      return sent;
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** The overlays as overlays.gif/.mp4 when asked for (by default with --video) and ffmpeg runs. */
  private void writeAnimation(Ffmpeg ffmpeg, List<Path> frameFiles) {
    Animation format = animation != null ? animation : video != null ? Animation.mp4 : Animation.none;
    if (format == Animation.none) {
      return;
    }
    if (frameFiles.size() < 2) {
      System.out.println("animation: skipped (fewer than 2 overlays)");
      return;
    }
    if (ffmpeg.version().isEmpty()) {
      System.out.println("animation: skipped ('" + ffmpegExecutable + "' does not run; apt-get install ffmpeg)");
      return;
    }
    Path out = output.resolve("overlays." + format);
    try {
      ffmpeg.animate(frameFiles, video != null ? videoFps : 5, out);
      System.out.println("animation:          " + out);
    } catch (IOException e) {
      System.out.println("animation: skipped (" + e.getMessage() + ")");
    }
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  /** What came back: counts, latencies, a confusion matrix against ground truth if known, class areas. */
  private static final class Results {
    final String source;
    final String sendingNote;
    int masks;
    int scored;
    int deadLetters;
    int areaFrames;
    String model = "";
    List<String> labels = List.of();
    long[][] confusion = new long[0][0];
    final List<Double> processingMs = new ArrayList<>();
    final List<Double> inferenceMs = new ArrayList<>();
    final List<Double> endToEndMs = new ArrayList<>();
    final Map<String, double[]> areaByLabel = new TreeMap<>();

    Results(String source, String sendingNote) {
      this.source = source;
      this.sendingNote = sendingNote;
    }

    /** {@code truth}: the frame's ground-truth class ids, or null when it has none. */
    void add(SegmentationMask mask, MaskCodec.Mask decoded, byte[] truth, Instant received) {
      if (masks++ == 0) {
        model = mask.getModelName() + " " + mask.getModelVersion();
        labels = mask.getClassLabels();
        // Indexed by (truth, predicted) class id; every byte value, so no prediction falls outside.
        confusion = new long[256][256];
      }
      if (truth != null) {
        scored++;
        byte[] predicted = decoded.classIds();
        for (int i = 0; i < truth.length; i++) {
          confusion[truth[i]][predicted[i] & 0xff]++;
        }
      }
      processingMs.add(mask.getProcessingLatencyMs());
      inferenceMs.add(mask.getInferenceLatencyMs());
      endToEndMs.add((double) Duration.between(mask.getCaptureTimestamp(), received).toMillis());
    }

    void add(ClassAreas areas) {
      areaFrames++;
      for (ClassArea a : areas.getAreas()) {
        double[] sums = areaByLabel.computeIfAbsent(a.getLabel(), k -> new double[2]);
        sums[0] += a.getFraction();
        sums[1]++;
      }
    }

    String summary(long sent, double elapsedSeconds) {
      StringWriter text = new StringWriter();
      PrintWriter out = new PrintWriter(text);
      out.printf(Locale.ROOT, "frames:             %s%n", source);
      out.printf(Locale.ROOT, "frames sent:        %d%n", sent);
      out.printf(Locale.ROOT, "masks received:     %d (model %s)%n", masks, model);
      out.printf(Locale.ROOT, "dead letters:       %d%n", deadLetters);
      out.printf(Locale.ROOT, "throughput:         %.1f frames/s (%.2f s from first frame sent to last mask)%n",
          masks / Math.max(elapsedSeconds, 1e-9), elapsedSeconds);
      out.printf(Locale.ROOT, "inference latency:  p50 %.1f ms, p95 %.1f ms (segmenter call, batching included)%n",
          percentile(inferenceMs, 50), percentile(inferenceMs, 95));
      out.printf(Locale.ROOT, "processor latency:  p50 %.1f ms, p95 %.1f ms (parse+decode+segment+encode)%n",
          percentile(processingMs, 50), percentile(processingMs, 95));
      out.printf(Locale.ROOT, "end-to-end latency: p50 %.0f ms, p95 %.0f ms, p99 %.0f ms (capture to mask read; %s)%n",
          percentile(endToEndMs, 50), percentile(endToEndMs, 95), percentile(endToEndMs, 99), sendingNote);
      if (scored == 0) {
        out.println("scores:             none (no ground truth for these frames; look at the overlays)");
      } else {
        long correct = 0;
        long total = 0;
        double iouSum = 0;
        int iouClasses = 0;
        for (int c = 0; c < confusion.length; c++) {
          long tp = confusion[c][c];
          long truthCount = Arrays.stream(confusion[c]).sum();
          long predictedCount = 0;
          for (long[] row : confusion) {
            predictedCount += row[c];
          }
          correct += tp;
          total += truthCount;
          long union = truthCount + predictedCount - tp;
          if (union > 0) {
            iouSum += (double) tp / union;
            iouClasses++;
          }
        }
        out.printf(Locale.ROOT, "pixel accuracy:     %.4f%n", (double) correct / total);
        out.printf(Locale.ROOT, "mean IoU:           %.4f (over %d classes, against the synthetic ground truth)%n",
            iouSum / iouClasses, iouClasses);
      }
      out.println("class areas (mean fraction of the frame where present, frames present):");
      areaByLabel.forEach((label, sums) ->
          out.printf(Locale.ROOT, "  %-12s %.4f  %d%n", label, sums[0] / sums[1], (long) sums[1]));
      out.flush();
      return text.toString();
    }

    private static double percentile(List<Double> values, int p) {
      if (values.isEmpty()) {
        return Double.NaN;
      }
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
  }
}
