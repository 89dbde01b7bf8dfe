package io.segstream.bench;

import ai.djl.Device;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.bench.StreamBenchResult.Broker;
import io.segstream.bench.StreamBenchResult.CeilingResult;
import io.segstream.bench.StreamBenchResult.Config;
import io.segstream.bench.StreamBenchResult.DrainPhase;
import io.segstream.bench.StreamBenchResult.Host;
import io.segstream.bench.StreamBenchResult.KafkaScenarioResult;
import io.segstream.bench.StreamBenchResult.PacedPhase;
import io.segstream.bench.StreamBenchResult.Row;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

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
 * <p>With {@link Plan#simulated} all three run against a {@link SimulatedAccelerator} instead of the
 * model: what the design would do with a GPU, on a machine without one.
 *
 * <p>Kafka scenarios report throughput from a drained backlog and latency at a paced rate below that
 * throughput (see {@link StreamScenario}). Writes {@code stream-<size>.csv} and {@code .md} per size,
 * and {@code stream-results.md} over every {@code stream-*.csv} in the output folder.
 */
public final class StreamBench {

  public static final String CEILING = "a-ceiling";
  public static final String NAIVE = "b-naive";
  public static final String SEGSTREAM = "c-segstream";
  public static final List<String> SCENARIOS = List.of(CEILING, NAIVE, SEGSTREAM);
  /** The JIT warm-up ends once the JIT compilers take under this share of a round's wall time. */
  private static final double JIT_SETTLED_SHARE = 0.03;
  /** A warm-up round shorter than this is judged together with the next one. */
  private static final Duration JIT_MIN_ROUND = Duration.ofSeconds(5);
  /** Distinct synthetic scenes the frames cycle through. */
  private static final int DISTINCT_FRAMES = 32;
  /**
   * Settings the bench's broker takes over segstream's broker defaults: Kafka's own 3 s initial rebalance
   * delay, which segstream's broker drops so that tests start quickly. Without it the group formed
   * around whichever stream thread joined first and rebalanced once the other joined: the three
   * 128x128 runs whose backlog was drained before that settled read 65-74% of capacity
   * (docs/benchmarks.md, round 8).
   */
  static final Map<String, String> BROKER_SETTINGS = Map.of("group.initial.rebalance.delay.ms", "3000");

  /**
   * What to run ({@code bench stream --help} explains each). {@code streamThreads} and {@code
   * partitions} are (c)'s; (b) has one stream thread. {@code simulated}: the simulated accelerator's
   * timing, or null to run the model. {@code frames}: measured backlog frames, 0 for {@link
   * #backlogFrames}'s default. {@code command}: the command line, for the report.
   */
  public record Plan(List<String> sizes, List<String> scenarios, ImageEncoding encoding, int streamThreads,
      int partitions, int warmupFrames, int frames, double jitWarmupSeconds, double load, double latencySeconds,
      double ceilingSeconds, Duration timeout, SimulatedAccelerator.Timing simulated, BrokerPlacement broker,
      Path brokerLogDir, Path out, String command) {

    /** Measured backlog frames unless {@code --frames} says. */
    public static final int DEFAULT_FRAMES = 2000;
    /**
     * How long a simulated device's backlog lasts at its capacity, unless that would exceed
     * {@link #MAX_SIMULATED_BACKLOG_BYTES}. At 9,600 frames/s 2,000 frames drain in 0.2 s, where the
     * drain's start and end weigh in: such runs spread 75-87% (round 5). A longer drain weighs them
     * less still; it did not remove the slow runs, each with more CPU per frame: drains of 1 s read
     * 73-97% (3 of 14 below 80%), drains of 4 s 79-100% (2 of 14; docs/benchmarks.md, round 9).
     */
    public static final Duration MIN_SIMULATED_BACKLOG = Duration.ofSeconds(4);
    /**
     * The most decoded pixels (3 bytes each) a default simulated backlog holds, so that large RAW frames
     * do not fill the broker's log folder, which by default is memory ({@link BrokerLogDir}): 2 GiB is
     * 4 s at 128x128 RAW.
     */
    public static final long MAX_SIMULATED_BACKLOG_BYTES = 2L << 30;

    /**
     * The measured backlog at one size: {@code frames} when given; else {@link #DEFAULT_FRAMES}, and
     * against a simulated device {@link #MIN_SIMULATED_BACKLOG} of its capacity, max batch / t(max
     * batch), as far as {@link #MAX_SIMULATED_BACKLOG_BYTES} allows.
     */
    public int backlogFrames(int maxBatch, long pixels) {
      if (frames > 0) {
        return frames;
      }
      if (simulated == null) {
        return DEFAULT_FRAMES;
      }
      double capacityPerSecond = maxBatch * 1e9 / simulated.batchNanos(maxBatch, pixels);
      double wanted = Math.ceil(capacityPerSecond * MIN_SIMULATED_BACKLOG.toNanos() / 1e9);
      double fitting = Math.floor(MAX_SIMULATED_BACKLOG_BYTES / (3.0 * pixels));
      return (int) Math.max(DEFAULT_FRAMES, Math.min(wanted, fitting));
    }
  }

  /** What every row of one run shares, resolved from the plan and the settings. */
  record Setup(Plan plan, ModelConfig model, String device, int cores, SessionSettings session, int batch,
      int queueDelayMs, int instances) {}

  private final Plan plan;
  private final SegstreamConfig settings;
  private final String cliMainClass;
  private boolean jitWarmedUp;
  /** The running broker's placement and process, for each Kafka row. */
  private Broker broker;

  /**
   * @param settings segstream's settings: the model directory, batcher and devices among them
   * @param cliMainClass the class whose {@code main} runs segstream's commands: it starts a broker in a
   *     process of its own
   */
  public StreamBench(Plan plan, SegstreamConfig settings, String cliMainClass) {
    this.plan = plan;
    this.settings = settings;
    this.cliMainClass = cliMainClass;
  }

  /** Runs every scenario at every size and writes the result files. */
  public void run() throws Exception {
    ModelConfig model = ModelConfig.load(Path.of(settings.getString(SegstreamConfig.MODEL_DIR)));
    int batch = settings.getInt(SegstreamConfig.MAX_BATCH_SIZE);
    int queueDelay = settings.getInt(SegstreamConfig.MAX_QUEUE_DELAY_MS);
    SimulatedAccelerator simulator =
        plan.simulated() == null ? null : new SimulatedAccelerator(model.modelInfo(), plan.simulated());
    // The simulator needs no TensorFlow (and must not pay for loading it).
    List<Device> devices = simulator != null ? List.of(Device.cpu()) : ModelInstancePool.parseDevices(
        settings.getString(SegstreamConfig.DEVICES), TensorFlowRuntime.engine().getGpuCount());
    // The simulated device gets what a GPU would.
    int instanceCount = ModelInstancePool.instancesOn(simulator != null ? Device.gpu() : devices.get(0),
        settings.getInt(SegstreamConfig.INSTANCES_PER_DEVICE));
    int cores = Runtime.getRuntime().availableProcessors();
    // TensorFlow's thread pools are per process and sized by the first session: every scenario gets
    // the settings (c) needs.
    SessionSettings session = ModelInstancePool.sessionSettings(settings, devices);
    Map<String, Object> common = new HashMap<>(settings.originals());
    common.put(SegstreamConfig.TF_INTRA_OP_THREADS, Integer.toString(session.intraOpThreads()));
    common.put(SegstreamConfig.TF_INTER_OP_THREADS, Integer.toString(session.interOpThreads()));
    common.put(SegstreamConfig.TOPIC_PARTITIONS, Integer.toString(plan.partitions()));
    Setup setup = new Setup(plan, model,
        simulator != null ? SimulatedAccelerator.DEVICE : ModelInstancePool.deviceName(devices.get(0)), cores,
        session, batch, queueDelay, instanceCount);

    Files.createDirectories(plan.out());
    boolean kafka = plan.scenarios().contains(NAIVE) || plan.scenarios().contains(SEGSTREAM);
    try (AutoCloseable running = kafka ? startBroker(common) : null) {
      for (String size : plan.sizes()) {
        int[] wh = PredictorThroughput.parseSize(size);
        List<Row> rows = runSize(setup, devices.get(0), simulator, common, wh[0], wh[1]);
        String label = wh[0] == wh[1] ? Integer.toString(wh[0]) : wh[0] + "x" + wh[1];
        Path csv = plan.out().resolve("stream-" + label + ".csv");
        Files.writeString(csv, StreamBenchReport.csv(rows));
        Files.writeString(plan.out().resolve("stream-" + label + ".md"),
            StreamBenchReport.sizeMarkdown(setup, backlogFrames(setup, (long) wh[0] * wh[1]), rows));
        System.out.print(StreamBenchReport.table(rows));
        System.out.println("Wrote " + csv + " and .md");
      }
    }
    Path results = plan.out().resolve("stream-results.md");
    Files.writeString(results, StreamBenchReport.combinedMarkdown(resultFiles()));
    System.out.println("Wrote " + results);
  }

  /** The broker the plan asks for; its address goes into {@code common}. */
  private AutoCloseable startBroker(Map<String, Object> common) throws Exception {
    if (plan.broker() == BrokerPlacement.OWN_PROCESS) {
      System.err.println("starting a Kafka broker in its own process ...");
      BrokerProcess process = BrokerProcess.start(cliMainClass, plan.out().resolve("broker.log"), plan.brokerLogDir(),
          BROKER_SETTINGS, plan.timeout());
      common.put(SegstreamConfig.BOOTSTRAP_SERVERS, process.bootstrapServers());
      broker = new Broker(plan.broker().label(), process.pid(), BrokerLogDir.describe(plan.brokerLogDir()));
      return process;
    }
    System.err.println("starting an embedded Kafka broker ...");
    EmbeddedKafkaBroker embedded = EmbeddedKafkaBroker.startTemporaryIn(plan.brokerLogDir(), BROKER_SETTINGS);
    common.put(SegstreamConfig.BOOTSTRAP_SERVERS, embedded.bootstrapServers());
    broker = new Broker(plan.broker().label(), ProcessHandle.current().pid(),
        BrokerLogDir.describe(plan.brokerLogDir()));
    return embedded;
  }

  private List<Row> runSize(Setup setup, Device device, SimulatedAccelerator simulator,
      Map<String, Object> common, int width, int height) throws Exception {
    List<RgbImage> images = PredictorThroughput.frames(width, height, DISTINCT_FRAMES);
    List<Row> rows = new ArrayList<>();
    List<String> scenarios = plan.scenarios();
    boolean warmUpNow = !jitWarmedUp && plan.jitWarmupSeconds() > 0
        && (scenarios.contains(NAIVE) || scenarios.contains(SEGSTREAM));
    LongSupplier busy = simulator == null ? null : simulator::busyNanos;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // (c)'s batcher exists from the start so that the JIT warm-up runs (c)'s own code path: warmed up
    // through a single instance, (c) compiled its batching and batched pre-processing while measured.
    try (DynamicBatcher batcher = scenarios.contains(SEGSTREAM) ? batcher(setup, simulator, common, registry) : null) {
      Scenarios run = new Scenarios(setup, batcher, registry, busy, common, width, height, images, rows);
      if (scenarios.contains(CEILING) || scenarios.contains(NAIVE) || warmUpNow) {
        if (simulator != null) {
          run.withSingleInstance(simulator, simulator, warmUpNow);
        } else {
          try (DjlSegmenter single = DjlSegmenter.load(setup.model(), device, setup.session())) {
            run.withSingleInstance(single, single, warmUpNow);
          }
        }
      } else {
        run.segstream();
      }
    }
    rows.sort(Comparator.comparingInt(row -> SCENARIOS.indexOf(row.scenario())));
    return rows;
  }

  /** (c)'s segmenter: the batcher {@code run} uses, over the model or over the simulated device. */
  private static DynamicBatcher batcher(Setup setup, SimulatedAccelerator simulator, Map<String, Object> common,
      SimpleMeterRegistry registry) throws IOException {
    SegstreamConfig config = new SegstreamConfig(common);
    return simulator != null
        ? simulator.behindBatcher(setup.instances(), BatcherSettings.from(config, setup.model().maxBatchSize()), registry)
        : Segmenters.forModel(setup.model().modelDir(), config, registry);
  }

  /** The scenarios of one size, in the order they run. */
  private final class Scenarios {
    private final Setup setup;
    private final DynamicBatcher batcher;
    private final SimpleMeterRegistry registry;
    private final LongSupplier busy;
    private final Map<String, Object> common;
    private final int width;
    private final int height;
    private final String size;
    private final List<RgbImage> images;
    private final List<Row> rows;

    Scenarios(Setup setup, DynamicBatcher batcher, SimpleMeterRegistry registry, LongSupplier busy,
        Map<String, Object> common, int width, int height, List<RgbImage> images, List<Row> rows) {
      this.setup = setup;
      this.batcher = batcher;
      this.registry = registry;
      this.busy = busy;
      this.common = common;
      this.width = width;
      this.height = height;
      this.size = width + "x" + height;
      this.images = images;
      this.rows = rows;
    }

    /**
     * The JIT warm-up, (a), (c) and (b), with one model instance, {@code backend} and {@code segmenter}
     * (the same one), for the warm-up when (c) does not run, (a) and (b). It comes in twice because
     * {@link BatchBackend} and {@link Segmenter} both define a default {@code close()}, so no
     * intersection type names both. (c) runs right after the
     * warm-up of its own code path and (a); (b), one model call per frame and bound by the model, runs
     * last. With (b) first, 20 s of it through another {@link Segmenter} in the same JVM, (c) then used
     * 0.18-0.22 CPU ms per frame and reached 65-67% of the simulated device (two runs); run first, 0.13
     * and 0.16 ms and 92% and 76% (docs/benchmarks.md, round 5). Runs spread more than that settles, but
     * a deployed processor runs one segmenter, and (c) now runs in the state closest to that.
     */
    void withSingleInstance(BatchBackend backend, Segmenter segmenter, boolean warmUpNow) throws Exception {
      if (warmUpNow) {
        warmUp(batcher != null ? batcher : segmenter);
      }
      if (plan.scenarios().contains(CEILING)) {
        ceiling(backend);
      }
      segstream();
      if (plan.scenarios().contains(NAIVE)) {
        System.err.printf("%s (b) naive: 1 stream thread, one model call per frame%n", size);
        rows.add(runKafka(NAIVE, size, setup, common, 1, segmenter, images, null, busy));
      }
    }

    /**
     * A JVM running Kafka clients, Streams, Avro and DJL compiles code for minutes; the first scenario
     * would pay for it and the next ones less. So whole rounds of the scenario run unmeasured (backlog,
     * then paced: both code paths) until the JIT has settled.
     */
    private void warmUp(Segmenter segmenter) throws Exception {
      System.err.printf(Locale.ROOT, "%s JIT warm-up: rounds of the scenario, unmeasured, until the JIT takes under "
          + "%.0f%% of a round (at most %.0f s)%n", size, JIT_SETTLED_SHARE * 100, plan.jitWarmupSeconds());
      JitSettling settling = new JitSettling(JIT_MIN_ROUND, JIT_SETTLED_SHARE);
      long start = System.nanoTime();
      long end = start + (long) (plan.jitWarmupSeconds() * 1e9);
      boolean settled = false;
      for (int round = 1; !settled && System.nanoTime() < end; round++) {
        // The JIT needs the code paths run, not a long backlog.
        runPhases(size, "warmup", common, plan.streamThreads(), segmenter, images, null, null,
            Math.min(backlogFrames(setup, images), Plan.DEFAULT_FRAMES));
        settled = settling.getAsBoolean();
        System.err.printf(Locale.ROOT, "%s JIT warm-up round %d: the JIT at %.0f%% of the round, %.0f s so far%n",
            size, round, settling.lastShare() * 100, (System.nanoTime() - start) / 1e9);
      }
      jitWarmedUp = true;
    }

    /** (a), after the warm-up, so that it is measured close in time to (b) and (c). */
    private void ceiling(BatchBackend backend) throws Exception {
      System.err.printf("%s (a) ceiling: batches of %d, %.0f s%n", size, setup.batch(), plan.ceilingSeconds());
      String loadBefore = loadAverage();
      double probe = CoreProbe.millis();
      PredictorThroughput.Result result =
          PredictorThroughput.measure(backend, width, height, setup.batch(), plan.ceilingSeconds());
      rows.add(new Row(size, CEILING,
          new Config(modelName(setup), setup.device(), "-", 0, 0, result.batch(), 0, 1),
          new Host(setup.cores(), loadBefore + " / " + loadAverage(), null, probe),
          new CeilingResult(result.calls() * result.batch(), result.imagesPerSecond(), result.meanMsPerCall(),
              result.forwardMsPerCall(), result.cpuMsPerImage()),
          null, Instant.now().toString()));
    }

    /** (c), when it is to run. */
    void segstream() throws Exception {
      if (batcher == null) {
        return;
      }
      System.err.printf("%s (c) segstream: %d stream threads, batcher (max %d, %d ms), %d instance(s)%n",
          size, plan.streamThreads(), setup.batch(), setup.queueDelayMs(), setup.instances());
      // The same warm-up the ceiling gets: TensorFlow tunes on the first calls of a new shape.
      for (int i = 0; i < PredictorThroughput.WARM_UP_CALLS; i++) {
        batcher.segmentAll(images.subList(0, Math.min(setup.batch(), images.size())));
      }
      rows.add(runKafka(SEGSTREAM, size, setup, common, plan.streamThreads(), batcher, images, registry, busy));
    }
  }

  private Row runKafka(String name, String size, Setup setup, Map<String, Object> common, int threads,
      Segmenter segmenter, List<RgbImage> images, SimpleMeterRegistry registry, LongSupplier busy)
      throws Exception {
    String loadBefore = loadAverage();
    double probe = CoreProbe.millis();
    KafkaScenarioResult result = runPhases(size, name, common, threads, segmenter, images, registry, busy,
        backlogFrames(setup, images));
    boolean batched = registry != null;
    return new Row(size, name,
        new Config(modelName(setup), setup.device(), plan.encoding().name(), plan.partitions(), threads,
            batched ? setup.batch() : 1, batched ? setup.queueDelayMs() : 0, batched ? setup.instances() : 1),
        new Host(setup.cores(), loadBefore + " / " + loadAverage(), broker, probe),
        null, result, Instant.now().toString());
  }

  /** One Kafka scenario on fresh topics: the backlog drained, then frames paced below its rate. */
  private KafkaScenarioResult runPhases(String size, String name, Map<String, Object> common, int threads,
      Segmenter segmenter, List<RgbImage> images, SimpleMeterRegistry registry, LongSupplier busy, int frames)
      throws Exception {
    Map<String, Object> props = scenarioProps(common, size, name, threads);
    try (StreamScenario scenario = new StreamScenario(new SegstreamConfig(props), segmenter, registry, busy, brokerCpu(), images,
        plan.encoding(), plan.timeout())) {
      DrainPhase drain = scenario.drainBacklog(plan.warmupFrames(), frames);
      double rate = plan.load() * drain.framesPerSecond();
      int latencyFrames = (int) Math.max(20, Math.round(rate * plan.latencySeconds()));
      System.err.printf(Locale.ROOT, "%s %s: %.1f frames/s; latency at %.1f frames/s (%d frames)%n",
          size, name, drain.framesPerSecond(), rate, latencyFrames);
      PacedPhase paced = scenario.paced(rate, latencyFrames);
      scenario.unreadableReport().ifPresent(report -> System.err.println(size + " " + name + ": " + report));
      return new KafkaScenarioResult(drain, paced, scenario.deadLetters());
    }
  }

  /** The broker process's CPU so far, when it has a process of its own; null when it runs in this one. */
  private LongSupplier brokerCpu() {
    long pid = broker.pid();
    return pid == ProcessHandle.current().pid() ? null : () -> ProcessCpu.nanosOf(pid);
  }

  private int backlogFrames(Setup setup, long pixels) {
    return plan.backlogFrames(setup.batch(), pixels);
  }

  private int backlogFrames(Setup setup, List<RgbImage> images) {
    return backlogFrames(setup, (long) images.get(0).width() * images.get(0).height());
  }

  private static String modelName(Setup setup) {
    return setup.model().name() + ":" + setup.model().version();
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
    try (Stream<Path> files = Files.list(plan.out())) {
      return files.filter(f -> f.getFileName().toString().matches("stream-.+\\.csv")).sorted().toList();
    }
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
