package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameEncoder;
import io.segstream.image.MaskCodec;
import io.segstream.inference.Segmenter;
import io.segstream.model.GroundTruthSegmenter;
import io.segstream.model.SyntheticScenes;
import io.segstream.ops.EmbeddedKafkaBroker;
import io.segstream.topology.DeadLetters;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Everything in one process: a Kafka broker, the processor, and a producer of synthetic frames whose
 * ground truth is known, so the demo can score the masks it gets back.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run everything in this JVM: embedded Kafka, the processor, synthetic frames.",
      "Scores the masks against the synthetic ground truth and writes overlay PNGs,",
      "class-areas.csv and summary.txt to --output."
    })
public final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ConfigOptions configOptions;

  @Option(names = "--model", defaultValue = "models/fcn-default", paramLabel = "DIR",
      description = "Model directory (SavedModel + segstream-model.properties). Default: ${DEFAULT-VALUE}.")
  Path model;

  @Option(names = "--oracle",
      description = "Segment with the synthetic ground truth instead of a model (checks the pipeline alone).")
  boolean oracle;

  @Option(names = "--frames", defaultValue = "200", description = "Frames to send. Default: ${DEFAULT-VALUE}.")
  int frames;

  @Option(names = "--streams", defaultValue = "2", description = "Camera streams (record keys). Default: ${DEFAULT-VALUE}.")
  int streams;

  @Option(names = "--width", defaultValue = "128", description = "Frame width. Default: ${DEFAULT-VALUE}.")
  int width;

  @Option(names = "--height", defaultValue = "128", description = "Frame height. Default: ${DEFAULT-VALUE}.")
  int height;

  @Option(names = "--encoding", defaultValue = "PNG",
      description = "Frame encoding: JPEG, PNG or RAW_RGB8. Default: ${DEFAULT-VALUE}.")
  ImageEncoding encoding;

  @Option(names = {"-o", "--output"}, defaultValue = "target/demo", paramLabel = "DIR",
      description = "Output folder. Default: ${DEFAULT-VALUE}.")
  Path output;

  @Option(names = "--overlays", defaultValue = "24",
      description = "How many overlay PNGs to write (-1: all). Default: ${DEFAULT-VALUE}.")
  int overlays;

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

  /** Where a frame came from: its stream, sequence number and scene. */
  private record SentFrame(String streamId, long frameSeq, SyntheticScenes.Scene scene) {}

  @Override
  public Integer call() throws Exception {
    if (frames < 1 || streams < 1 || width < 8 || height < 8) {
      throw new ParameterException(spec.commandLine(), "need --frames >= 1, --streams >= 1 and a size of at least 8x8");
    }
    if (oracle && encoding == ImageEncoding.JPEG) {
      throw new ParameterException(spec.commandLine(),
          "--oracle recognises frames by their exact pixels; use --encoding PNG or RAW_RGB8");
    }
    // The demo prints a progress bar and a summary; Kafka's warnings about its one-node setup would
    // only get in the way.
    SegstreamCli.defaultKafkaLogLevel("error");
    Files.createDirectories(output);
    SyntheticScenes scenes = new SyntheticScenes();
    Map<String, SentFrame> sent = new HashMap<>();
    List<SentFrame> order = new ArrayList<>();
    for (int i = 0; i < frames; i++) {
      SentFrame frame = new SentFrame("cam-" + (i % streams), i / streams, scenes.generate(1_000_000L + i, width, height));
      order.add(frame);
      sent.put(frame.streamId() + "#" + frame.frameSeq(), frame);
    }

    Map<String, String> defaults = Map.of(
        SegstreamConfig.APPLICATION_ID, "segstream-demo",
        SegstreamConfig.MODEL_DIR, model.toString(),
        SegstreamConfig.TOPIC_PARTITIONS, Integer.toString(Math.max(2, streams)),
        "num.stream.threads", "2");
    SegstreamConfig settings = configOptions.load(defaults);
    // The model first: a missing model should fail before a broker is started for nothing.
    try (Segmenter segmenter = openSegmenter(settings, order)) {
      System.err.printf("model: %s %s (%s)%n", segmenter.modelInfo().name(), segmenter.modelInfo().version(),
          String.join(", ", segmenter.modelInfo().classLabels()));
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
          return stream(config, order, sent);
        }
      }
    }
  }

  private Segmenter openSegmenter(SegstreamConfig config, List<SentFrame> order) throws Exception {
    if (!oracle) {
      return segmenterFactory.open(config);
    }
    GroundTruthSegmenter truth = new GroundTruthSegmenter();
    order.forEach(frame -> truth.register(frame.scene()));
    return truth;
  }

  /** Sends the frames, collects what comes back, writes the outputs; the exit code. */
  private int stream(SegstreamConfig config, List<SentFrame> order, Map<String, SentFrame> sent) throws Exception {
    Topics topics = Topics.fromConfig(config);
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    Deserializer<SegmentationMask> maskReader = serdes.forValues(SegmentationMask.class).deserializer();
    Deserializer<ClassAreas> areaReader = serdes.forValues(ClassAreas.class).deserializer();
    OverlayFiles overlayFiles = new OverlayFiles(output.resolve("overlays"));
    Results results = new Results();
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
      CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produce(config, topics, order));
      Progress progress = new Progress(System.err, frames, "frames");
      long deadline = start + timeoutSeconds * 1_000_000_000L;
      long lastMaskNanos = start;
      while ((results.masks + results.deadLetters < frames || results.areaFrames < results.masks)
          && System.nanoTime() < deadline) {
        if (producing.isCompletedExceptionally()) {
          producing.join();
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (record.topic().equals(topics.masks())) {
            SegmentationMask mask = maskReader.deserialize(record.topic(), record.value());
            SentFrame frame = sent.get(mask.getStreamId() + "#" + mask.getFrameSeq());
            MaskCodec.Mask decoded = MaskCodec.decode(mask);
            results.add(mask, decoded, frame.scene().labels(), Instant.now());
            if (overlays < 0 || results.masks <= overlays) {
              overlayFiles.write(mask.getStreamId(), mask.getFrameSeq(), frame.scene().image(), decoded);
            }
            lastMaskNanos = System.nanoTime();
          } else if (record.topic().equals(topics.areas())) {
            ClassAreas areas = areaReader.deserialize(record.topic(), record.value());
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
      producing.join();
      double elapsed = (lastMaskNanos - start) / 1e9;
      Files.writeString(output.resolve("class-areas.csv"), csv);
      String summary = results.summary(frames, elapsed);
      Files.writeString(output.resolve("summary.txt"), summary);
      System.out.print(summary);
      System.out.println("outputs: " + output.toAbsolutePath());
      return results.masks + results.deadLetters >= frames ? 0 : 1;
    }
  }

  private void produce(SegstreamConfig config, Topics topics, List<SentFrame> order) {
    FrameEncoder encoder = new FrameEncoder(encoding);
    try (KafkaProducer<String, ImageFrame> producer = FrameProducers.create(config)) {
      for (SentFrame frame : order) {
        ImageFrame event = encoder.frame(frame.streamId(), frame.frameSeq(), Instant.now(), frame.scene().image(),
            Map.of("source", "segstream demo"));
        producer.send(new ProducerRecord<>(topics.frames(), frame.streamId(), event));
      }
      producer.flush();
    }
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  /** What came back: counts, latencies, a confusion matrix against ground truth, class areas. */
  private static final class Results {
    int masks;
    int deadLetters;
    int areaFrames;
    String model = "";
    List<String> labels = List.of();
    long[][] confusion = new long[0][0];
    final List<Double> processingMs = new ArrayList<>();
    final List<Double> inferenceMs = new ArrayList<>();
    final List<Double> endToEndMs = new ArrayList<>();
    final Map<String, double[]> areaByLabel = new TreeMap<>();

    void add(SegmentationMask mask, MaskCodec.Mask decoded, byte[] truth, Instant received) {
      if (masks++ == 0) {
        model = mask.getModelName() + " " + mask.getModelVersion();
        labels = mask.getClassLabels();
        // Indexed by (truth, predicted) class id; every byte value, so no prediction falls outside.
        confusion = new long[256][256];
      }
      byte[] predicted = decoded.classIds();
      for (int i = 0; i < truth.length; i++) {
        confusion[truth[i]][predicted[i] & 0xff]++;
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

    String summary(int sent, double elapsedSeconds) {
      StringWriter text = new StringWriter();
      PrintWriter out = new PrintWriter(text);
      out.printf(Locale.ROOT, "frames sent:        %d%n", sent);
      out.printf(Locale.ROOT, "masks received:     %d (model %s)%n", masks, model);
      out.printf(Locale.ROOT, "dead letters:       %d%n", deadLetters);
      out.printf(Locale.ROOT, "throughput:         %.1f frames/s (%.2f s from first frame sent to last mask)%n",
          masks / Math.max(elapsedSeconds, 1e-9), elapsedSeconds);
      out.printf(Locale.ROOT, "inference latency:  p50 %.1f ms, p95 %.1f ms (segmenter call, batching included)%n",
          percentile(inferenceMs, 50), percentile(inferenceMs, 95));
      out.printf(Locale.ROOT, "processor latency:  p50 %.1f ms, p95 %.1f ms (parse+decode+segment+encode)%n",
          percentile(processingMs, 50), percentile(processingMs, 95));
      out.printf(Locale.ROOT, "end-to-end latency: p50 %.0f ms, p95 %.0f ms (capture to mask read; frames sent as a burst queue up)%n",
          percentile(endToEndMs, 50), percentile(endToEndMs, 95));
      if (masks > 0) {
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
