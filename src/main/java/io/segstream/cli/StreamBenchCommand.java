package io.segstream.cli;

import io.segstream.bench.BrokerLogDir;
import io.segstream.bench.BrokerPlacement;
import io.segstream.bench.PredictorThroughput;
import io.segstream.bench.SimulatedAccelerator;
import io.segstream.bench.StreamBench;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.topology.SegstreamApp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench stream}: the options of {@link StreamBench}, which runs (a) the model ceiling, (b) a
 * naive per-record processor and (c) segstream through a real broker and writes the result files.
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

  @Spec CommandSpec spec;
  @Mixin ConfigOptions configOptions;

  @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: ${DEFAULT-VALUE}).")
  Path modelDir = Path.of(SegstreamConfig.DEFAULT_MODEL_DIR);

  @Option(names = "--size", split = ",", description = "Frame sizes, N (square) or WxH (default: ${DEFAULT-VALUE}).")
  List<String> sizes = List.of("128");

  @Option(names = "--frames", description = "Measured backlog frames per Kafka scenario (default: 2000; with --device "
      + "simulated 4 s of the device's capacity at each size, max batch / t(max batch), as far as 2 GiB of pixels "
      + "allow, and at least 2000).")
  Integer frames;

  @Option(names = "--jit-warmup-seconds", description = "Before the first Kafka scenario, run rounds of it unmeasured until the JIT compilers settle "
      + "(under 3%% of a round), for at most this long (default: ${DEFAULT-VALUE}; 0: no warm-up).")
  double jitWarmupSeconds = 300;

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
  List<String> scenarios = StreamBench.SCENARIOS;

  @Option(names = "--timeout", paramLabel = "SECONDS", description = "Longest one phase may take (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds = 600;

  @Option(names = "--broker", paramLabel = "WHERE",
      description = "Where the broker runs: in-jvm, or process (a JVM of its own, so the CPU figures are the"
          + " processor's alone). Default: ${DEFAULT-VALUE}.")
  String broker = "in-jvm";

  @Option(names = "--broker-log-dir", paramLabel = "DIR",
      description = "Where the broker keeps its log: a folder, or auto (/dev/shm when it is a memory file system"
          + " with 8 GB free, else the temporary folder), since writing frames back to a disk takes the cores"
          + " the processor is measured on. Default: ${DEFAULT-VALUE}.")
  String brokerLogDir = BrokerLogDir.AUTO;

  @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("target/bench");

  @Override
  public Integer call() throws Exception {
    for (String scenario : scenarios) {
      if (!StreamBench.SCENARIOS.contains(scenario)) {
        throw new ParameterException(spec.commandLine(),
            "unknown scenario '" + scenario + "'; choose from " + String.join(", ", StreamBench.SCENARIOS));
      }
    }
    if ((frames != null && frames < 1) || warmupFrames < 0 || load <= 0 || latencySeconds <= 0) {
      throw new ParameterException(spec.commandLine(),
          "need --frames >= 1, --warmup-frames >= 0, --load > 0 and --latency-seconds > 0");
    }
    int threads = streamThreads != null ? streamThreads : SegstreamApp.STREAM_THREADS;
    int partitionCount = partitions != null ? partitions : threads;
    for (Integer given : new Integer[] {maxBatchSize, instances, streamThreads, partitions}) {
      if (given != null && given < 1) {
        throw new ParameterException(spec.commandLine(), "batch size, instances, threads and partitions must be >= 1");
      }
    }
    if (maxQueueDelayMs != null && maxQueueDelayMs < 0) {
      throw new ParameterException(spec.commandLine(), "--max-queue-delay-ms must be >= 0");
    }
    BrokerPlacement placement = switch (broker) {
      case "in-jvm" -> BrokerPlacement.IN_JVM;
      case "process" -> BrokerPlacement.OWN_PROCESS;
      default -> throw new ParameterException(spec.commandLine(),
          "--broker: '" + broker + "' is neither in-jvm nor process");
    };
    CommandLines.defaultKafkaLogLevel("error");
    modelDir = CliPaths.modelDir(modelDir);
    SegstreamConfig loaded = configOptions.load(Map.of(SegstreamConfig.MODEL_DIR, modelDir.toString()));
    Map<String, Object> settings = new HashMap<>(loaded.originals());
    putIfGiven(settings, SegstreamConfig.MAX_BATCH_SIZE, maxBatchSize);
    putIfGiven(settings, SegstreamConfig.MAX_QUEUE_DELAY_MS, maxQueueDelayMs);
    putIfGiven(settings, SegstreamConfig.INSTANCES_PER_DEVICE, instances);
    SimulatedAccelerator.Timing simulated = SimulatedAccelerator.DEVICE.equals(device) ? simulatedTiming() : null;
    if (device != null && simulated == null) {
      settings.put(SegstreamConfig.DEVICES, device);
    }
    StreamBench.Plan plan = new StreamBench.Plan(sizes, scenarios, encoding, threads, partitionCount, warmupFrames,
        frames == null ? 0 : frames, jitWarmupSeconds, load, latencySeconds, ceilingSeconds,
        Duration.ofSeconds(timeoutSeconds), simulated, placement, BrokerLogDir.resolve(brokerLogDir), out,
        commandLine());
    new StreamBench(plan, new SegstreamConfig(settings), SegstreamCli.class.getName()).run();
    return 0;
  }

  private static void putIfGiven(Map<String, Object> settings, String key, Integer value) {
    if (value != null) {
      settings.put(key, value.toString());
    }
  }

  /** The simulated accelerator's timing from the options. */
  private SimulatedAccelerator.Timing simulatedTiming() {
    int[] reference;
    try {
      reference = PredictorThroughput.parseSize(simulatedReferenceSize);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--simulated-reference-size: " + e.getMessage());
    }
    if (simulatedOverheadMs < 0 || simulatedMsPerImage < 0) {
      throw new ParameterException(spec.commandLine(), "--simulated-overhead-ms and --simulated-ms-per-image must be >= 0");
    }
    return new SimulatedAccelerator.Timing(Duration.ofNanos(Math.round(simulatedOverheadMs * 1e6)),
        Duration.ofNanos(Math.round(simulatedMsPerImage * 1e6)), reference[0], reference[1]);
  }

  private String commandLine() {
    List<String> args = spec == null ? List.of() : spec.commandLine().getParseResult().originalArgs();
    return "segstream " + String.join(" ", args);
  }
}
