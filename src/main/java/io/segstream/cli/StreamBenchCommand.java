package io.segstream.cli;

import ai.djl.Device;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.bench.SimulatedAccelerator;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.image.RgbImage;
import io.segstream.inference.BatchBackend;
import io.segstream.inference.BatcherSettings;
import io.segstream.inference.DjlSegmenter;
import io.segstream.inference.DynamicBatcher;
import io.segstream.inference.ModelConfig;
import io.segstream.inference.ModelInstancePool;
import io.segstream.inference.Segmenter;
import io.segstream.inference.Segmenters;
import io.segstream.inference.SessionSettings;
import io.segstream.inference.TensorFlowRuntime;
import io.segstream.ops.EmbeddedKafkaBroker;
import io.segstream.topology.SegstreamApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * End-to-end streaming benchmark through a real (embedded KRaft) broker, three ways side by side:
 *
 * <ul>
 *   <li>(a) <b>ceiling</b>: the model alone, batched predictor calls, no Kafka;
 *   <li>(b) <b>naive</b>: the segstream topology, one stream thread, one model call per record (what
 *       the usual Kafka + TensorFlow examples do);
 *   <li>(c) <b>segstream</b>: the topology on several stream threads feeding the dynamic batcher.
 * </ul>
 *
 * <p>{@code --device simulated} runs all three against a {@link SimulatedAccelerator} instead of the
 * model: what the design would do with a GPU, on a machine without one.
 *
 * <p>Kafka scenarios report throughput from a drained backlog and latency at a paced rate below that
 * throughput (see {@link StreamScenario}). Writes {@code stream-<size>.csv} and {@code .md} per size,
 * and {@code stream-results.md} over every {@code stream-*.csv} in the output folder.
 */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    description = {
      "Frames/s and end-to-end latency through an embedded Kafka broker: (a) the raw model ceiling,",
      "(b) a naive per-record processor, (c) segstream with dynamic batching.",
      "Results go to --out as stream-<size>.{csv,md} and stream-results.md."
    })
public final class StreamBenchCommand implements Callable<Integer> {

  static final String CEILING = "a-ceiling";
  static final String NAIVE = "b-naive";
  static final String SEGSTREAM = "c-segstream";
  /** Distinct synthetic scenes the frames cycle through. */
  private static final int DISTINCT_FRAMES = 32;

  @Spec CommandSpec spec;
  private boolean jitWarmedUp;
  @Mixin ConfigOptions configOptions;

  @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: ${DEFAULT-VALUE}).")
  Path modelDir = Path.of(SegstreamConfig.DEFAULT_MODEL_DIR);

  @Option(names = "--size", split = ",", description = "Frame sizes, N (square) or WxH (default: ${DEFAULT-VALUE}).")
  List<String> sizes = List.of("128");

  @Option(names = "--frames", description = "Backlog frames per Kafka scenario (default: ${DEFAULT-VALUE}).")
  int frames = 2000;

  @Option(names = "--jit-warmup-seconds", description = "Before the first Kafka scenario, run the pipeline this long unmeasured (default: ${DEFAULT-VALUE}).")
  double jitWarmupSeconds = 60;

  @Option(names = "--warmup-frames", description = "Backlog frames before the measured ones, per Kafka scenario (default: ${DEFAULT-VALUE}).")
  int warmupFrames = 1000;

  @Option(names = "--partitions", description = "Partitions of the frames topic (default: the stream threads).")
  Integer partitions;

  @Option(names = "--stream-threads", description = "Stream threads of (c) (default: segstream's, 2).")
  Integer streamThreads;

  @Option(names = "--max-batch-size", description = "Batch size of (a) and (c) (default: max.batch.size).")
  Integer maxBatchSize;

  @Option(names = "--max-queue-delay-ms", description = "Batcher delay of (c) (default: max.queue.delay.ms).")
  Integer maxQueueDelayMs;

  @Option(names = "--instances", description = "Model instances of (c) (default: instances.per.device).")
  Integer instances;

  @Option(names = "--device", paramLabel = "DEVICE",
      description = "Where the model runs: a devices value (cpu, gpu:N, auto), or 'simulated' for a simulated"
          + " accelerator (no model call; see the --simulated-* options). Default: the devices setting.")
  String device;

  @Option(names = "--simulated-overhead-ms", paramLabel = "MS",
      description = "Simulated accelerator: t0, the time of every batch (default: ${DEFAULT-VALUE}).")
  double simulatedOverheadMs = SimulatedAccelerator.Timing.DEFAULT.overhead().toNanos() / 1e6;

  @Option(names = "--simulated-ms-per-image", paramLabel = "MS",
      description = "Simulated accelerator: k, the time per image at --simulated-reference-size, scaled by pixels"
          + " (default: ${DEFAULT-VALUE}, i.e. 827 fps at 960x544).")
  double simulatedMsPerImage = SimulatedAccelerator.Timing.DEFAULT.perImageAtReference().toNanos() / 1e6;

  @Option(names = "--simulated-reference-size", paramLabel = "WxH",
      description = "Simulated accelerator: the image size k is given for (default: ${DEFAULT-VALUE}).")
  String simulatedReferenceSize = SimulatedAccelerator.Timing.DEFAULT.referenceWidth() + "x"
      + SimulatedAccelerator.Timing.DEFAULT.referenceHeight();

  @Option(names = "--encoding", description = "Frame encoding: RAW_RGB8, JPEG or PNG (default: ${DEFAULT-VALUE}).")
  ImageEncoding encoding = ImageEncoding.RAW_RGB8;

  @Option(names = "--load", description = "Paced rate as a fraction of the measured throughput (default: ${DEFAULT-VALUE}).")
  double load = 0.8;

  @Option(names = "--latency-seconds", description = "Length of each paced latency run (default: ${DEFAULT-VALUE}).")
  double latencySeconds = 15;

  @Option(names = "--ceiling-seconds", description = "Length of the ceiling measurement (default: ${DEFAULT-VALUE}).")
  double ceilingSeconds = 10;

  @Option(names = "--scenarios", split = ",", description = "Which to run (default: ${DEFAULT-VALUE}).")
  List<String> scenarios = List.of(CEILING, NAIVE, SEGSTREAM);

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest one phase may take (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds = 600;

  @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("target/bench");

  @Override
  public Integer call() throws Exception {
    for (String scenario : scenarios) {
      if (!List.of(CEILING, NAIVE, SEGSTREAM).contains(scenario)) {
        throw new ParameterException(spec.commandLine(),
            "unknown scenario '" + scenario + "'; choose from " + CEILING + ", " + NAIVE + ", " + SEGSTREAM);
      }
    }
    if (frames < 1 || warmupFrames < 0 || load <= 0 || latencySeconds <= 0) {
      throw new ParameterException(spec.commandLine(),
          "need --frames >= 1, --warmup-frames >= 0, --load > 0 and --latency-seconds > 0");
    }
    CommandLines.defaultKafkaLogLevel("error");
    modelDir = CliPaths.modelDir(modelDir);
    ModelConfig model = ModelConfig.load(modelDir);
    SegstreamConfig settings = configOptions.load(Map.of(SegstreamConfig.MODEL_DIR, modelDir.toString()));
    int batch = maxBatchSize != null ? maxBatchSize : settings.getInt(SegstreamConfig.MAX_BATCH_SIZE);
    int queueDelay = maxQueueDelayMs != null ? maxQueueDelayMs : settings.getInt(SegstreamConfig.MAX_QUEUE_DELAY_MS);
    int instanceCount = instances != null ? instances : settings.getInt(SegstreamConfig.INSTANCES_PER_DEVICE);
    int threads = streamThreads != null ? streamThreads : SegstreamApp.STREAM_THREADS;
    int partitionCount = partitions != null ? partitions : threads;
    if (batch < 1 || queueDelay < 0 || instanceCount < 1 || threads < 1 || partitionCount < 1) {
      throw new ParameterException(spec.commandLine(), "batch size, instances, threads and partitions must be >= 1");
    }
    SimulatedAccelerator simulator = SimulatedAccelerator.DEVICE.equals(device) ? simulator(model) : null;
    Map<String, Object> common = new HashMap<>(settings.originals());
    if (device != null && simulator == null) {
      common.put(SegstreamConfig.DEVICES, device);
    }
    // The simulator needs no TensorFlow (and must not pay for loading it).
    List<Device> devices = simulator != null ? List.of(Device.cpu()) : ModelInstancePool.parseDevices(
        (String) common.getOrDefault(SegstreamConfig.DEVICES, settings.getString(SegstreamConfig.DEVICES)),
        TensorFlowRuntime.engine().getGpuCount());
    int cores = Runtime.getRuntime().availableProcessors();
    // TensorFlow's thread pools are per process and sized by the first session: every scenario gets
    // the settings (c) needs.
    SessionSettings session = ModelInstancePool.sessionSettings(cores, devices.size() * instanceCount,
        settings.getInt(SegstreamConfig.TF_INTRA_OP_THREADS), settings.getInt(SegstreamConfig.TF_INTER_OP_THREADS));
    common.put(SegstreamConfig.MAX_BATCH_SIZE, Integer.toString(batch));
    common.put(SegstreamConfig.MAX_QUEUE_DELAY_MS, Integer.toString(queueDelay));
    common.put(SegstreamConfig.INSTANCES_PER_DEVICE, Integer.toString(instanceCount));
    common.put(SegstreamConfig.TF_INTRA_OP_THREADS, Integer.toString(session.intraOpThreads()));
    common.put(SegstreamConfig.TF_INTER_OP_THREADS, Integer.toString(session.interOpThreads()));
    common.put(SegstreamConfig.TOPIC_PARTITIONS, Integer.toString(partitionCount));
    Setup setup = new Setup(model,
        simulator != null ? SimulatedAccelerator.DEVICE : ModelInstancePool.deviceName(devices.get(0)),
        simulator == null ? null : simulator.timing(), cores, session, batch, queueDelay, instanceCount, threads,
        partitionCount, encoding, warmupFrames, frames, load, latencySeconds, commandLine());

    boolean kafka = scenarios.contains(NAIVE) || scenarios.contains(SEGSTREAM);
    EmbeddedKafkaBroker broker = null;
    try {
      if (kafka) {
        System.err.println("starting an embedded Kafka broker ...");
        broker = EmbeddedKafkaBroker.start();
        common.put(SegstreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers());
      }
      Files.createDirectories(out);
      for (String size : sizes) {
        int[] wh = PredictorThroughput.parseSize(size);
        List<StreamBenchReport.Row> rows = runSize(setup, devices.get(0), simulator, common, wh[0], wh[1]);
        String label = wh[0] == wh[1] ? Integer.toString(wh[0]) : wh[0] + "x" + wh[1];
        Path csv = out.resolve("stream-" + label + ".csv");
        Files.writeString(csv, StreamBenchReport.csv(rows));
        Files.writeString(out.resolve("stream-" + label + ".md"), StreamBenchReport.sizeMarkdown(setup, rows));
        System.out.print(StreamBenchReport.table(rows));
        System.out.println("Wrote " + csv + " and .md");
      }
      Files.writeString(out.resolve("stream-results.md"), StreamBenchReport.combinedMarkdown(resultFiles()));
      System.out.println("Wrote " + out.resolve("stream-results.md"));
      return 0;
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  /** The simulated accelerator of the options, answering with the model's name and labels. */
  private SimulatedAccelerator simulator(ModelConfig model) {
    int[] reference;
    try {
      reference = PredictorThroughput.parseSize(simulatedReferenceSize);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--simulated-reference-size: " + e.getMessage());
    }
    if (simulatedOverheadMs < 0 || simulatedMsPerImage < 0) {
      throw new ParameterException(spec.commandLine(), "--simulated-overhead-ms and --simulated-ms-per-image must be >= 0");
    }
    return new SimulatedAccelerator(model.modelInfo(), new SimulatedAccelerator.Timing(
        Duration.ofNanos(Math.round(simulatedOverheadMs * 1e6)), Duration.ofNanos(Math.round(simulatedMsPerImage * 1e6)),
        reference[0], reference[1]));
  }

  /** What every row of one run shares; {@code simulated}: the simulated accelerator's timing, or null. */
  record Setup(ModelConfig model, String device, SimulatedAccelerator.Timing simulated, int cores, SessionSettings session, int batch, int queueDelayMs,
      int instances, int streamThreads, int partitions, ImageEncoding encoding, int warmupFrames, int frames,
      double load, double latencySeconds, String command) {}

  private List<StreamBenchReport.Row> runSize(Setup setup, Device device, SimulatedAccelerator simulator,
      Map<String, Object> common, int width, int height) throws Exception {
    String size = width + "x" + height;
    List<RgbImage> images = PredictorThroughput.frames(width, height, DISTINCT_FRAMES);
    List<StreamBenchReport.Row> rows = new ArrayList<>();
    boolean warmUpNow = !jitWarmedUp && jitWarmupSeconds > 0
        && (scenarios.contains(NAIVE) || scenarios.contains(SEGSTREAM));
    LongSupplier busy = simulator == null ? null : simulator::busyNanos;
    if (scenarios.contains(CEILING) || scenarios.contains(NAIVE) || warmUpNow) {
      if (simulator != null) {
        runSingleInstance(setup, simulator, simulator, busy, common, width, height, images, warmUpNow, rows);
      } else {
        try (DjlSegmenter single = DjlSegmenter.load(setup.model(), device, setup.session())) {
          runSingleInstance(setup, single, single, busy, common, width, height, images, warmUpNow, rows);
        }
      }
    }
    if (scenarios.contains(SEGSTREAM)) {
      System.err.printf("%s (c) segstream: %d stream threads, batcher (max %d, %d ms), %d instance(s)%n",
          size, setup.streamThreads(), setup.batch(), setup.queueDelayMs(), setup.instances());
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      SegstreamConfig config = new SegstreamConfig(common);
      try (DynamicBatcher batcher = simulator != null
          ? simulator.behindBatcher(setup.instances(), BatcherSettings.from(config, setup.model().maxBatchSize()), registry)
          : Segmenters.forModel(modelDir, config, registry)) {
        // The same warm-up the ceiling gets: TensorFlow tunes on the first calls of a new shape.
        for (int i = 0; i < PredictorThroughput.WARM_UP_CALLS; i++) {
          batcher.segmentAll(images.subList(0, Math.min(setup.batch(), images.size())));
        }
        rows.add(runKafka(SEGSTREAM, size, setup, common, setup.streamThreads(), batcher, images, registry, busy));
      }
    }
    return rows;
  }

  /** (a), the JIT warm-up and (b): one model instance, {@code backend} and {@code segmenter} (the same one). */
  private void runSingleInstance(Setup setup, BatchBackend backend, Segmenter segmenter, LongSupplier busy,
      Map<String, Object> common, int width, int height, List<RgbImage> images, boolean warmUpNow,
      List<StreamBenchReport.Row> rows) throws Exception {
    String size = width + "x" + height;
    if (scenarios.contains(CEILING)) {
      System.err.printf("%s (a) ceiling: batches of %d, %.0f s%n", size, setup.batch(), ceilingSeconds);
      String loadBefore = loadAverage();
      PredictorThroughput.Result result =
          PredictorThroughput.measure(backend, width, height, setup.batch(), ceilingSeconds);
      rows.add(StreamBenchReport.Row.ceiling(size, setup, result, loadBefore + " / " + loadAverage()));
    }
    if (warmUpNow) {
      // A JVM running a broker, Kafka clients and Streams compiles code for minutes; the first
      // scenario would pay for it and the next ones less, so both start warm.
      System.err.printf(Locale.ROOT, "%s JIT warm-up: %.0f s of the pipeline, unmeasured%n", size, jitWarmupSeconds);
      Map<String, Object> props = scenarioProps(common, size, "warmup", setup.streamThreads());
      try (StreamScenario warmUp = new StreamScenario(new SegstreamConfig(props), segmenter, null, null, images,
          encoding, Duration.ofSeconds(timeoutSeconds))) {
        int done = warmUp.keepBusy(Duration.ofMillis((long) (jitWarmupSeconds * 1000)), 8 * setup.streamThreads());
        System.err.printf("%s JIT warm-up: %d frames%n", size, done);
      }
      jitWarmedUp = true;
    }
    if (scenarios.contains(NAIVE)) {
      System.err.printf("%s (b) naive: 1 stream thread, one model call per frame%n", size);
      rows.add(runKafka(NAIVE, size, setup, common, 1, segmenter, images, null, busy));
    }
  }

  private StreamBenchReport.Row runKafka(String name, String size, Setup setup, Map<String, Object> common,
      int threads, Segmenter segmenter, List<RgbImage> images, SimpleMeterRegistry registry, LongSupplier busy)
      throws Exception {
    Map<String, Object> props = scenarioProps(common, size, name, threads);
    String loadBefore = loadAverage();
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    try (StreamScenario scenario =
        new StreamScenario(new SegstreamConfig(props), segmenter, registry, busy, images, encoding, timeout)) {
      StreamScenario.Throughput throughput = scenario.drainBacklog(warmupFrames, frames);
      double rate = load * throughput.framesPerSecond();
      int latencyFrames = (int) Math.max(20, Math.round(rate * latencySeconds));
      System.err.printf(Locale.ROOT, "%s %s: %.1f frames/s; latency at %.1f frames/s (%d frames)%n",
          size, name, throughput.framesPerSecond(), rate, latencyFrames);
      StreamScenario.Latency latency = scenario.paced(rate, latencyFrames);
      scenario.unreadableReport().ifPresent(report -> System.err.println(size + " " + name + ": " + report));
      return StreamBenchReport.Row.kafka(name, size, setup, encoding, threads, throughput, latency,
          loadBefore + " / " + loadAverage());
    }
  }

  /** A scenario's settings: its own application id and fresh topics. */
  private static Map<String, Object> scenarioProps(Map<String, Object> common, String size, String name, int threads) {
    String id = "bench-" + size + "-" + name + "-" + Long.toString(System.currentTimeMillis(), 36);
    Map<String, Object> props = new HashMap<>(common);
    props.put(SegstreamConfig.APPLICATION_ID, id);
    props.put(SegstreamConfig.TOPIC_FRAMES, id + "-frames");
    props.put(SegstreamConfig.TOPIC_MASKS, id + "-masks");
    props.put(SegstreamConfig.TOPIC_AREAS, id + "-class-areas");
    props.put(SegstreamConfig.TOPIC_DLQ, id + "-dlq");
    props.put("num.stream.threads", Integer.toString(threads));
    return props;
  }

  private List<Path> resultFiles() throws IOException {
    try (Stream<Path> files = Files.list(out)) {
      return files.filter(f -> f.getFileName().toString().matches("stream-.+\\.csv")).sorted().toList();
    }
  }

  private String commandLine() {
    List<String> args = spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs();
    return "segstream " + String.join(" ", args);
  }

  /** The 1-minute load average, which says how much else ran on the machine. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }
}
