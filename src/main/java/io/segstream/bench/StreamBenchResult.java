package io.segstream.bench;

import io.segstream.ops.InferenceMetrics;
import io.segstream.ops.Percentiles;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One result row of the stream benchmark, and its CSV line. A row is one scenario at one size: what
 * ran ({@link Config}), on what machine ({@link Host}), and either the ceiling's figures ({@link
 * CeilingResult}) or a Kafka scenario's ({@link KafkaScenarioResult}). The CSV flattens them into
 * named columns ({@link #COLUMNS}); {@link #parse} reads them back by name.
 */
public final class StreamBenchResult {

  /**
   * The CSV columns, in order. The ceiling shares the drain's columns: frames = images, frames_per_s =
   * images/s, drain_avg_batch = its batch, drain_compute_ms = the model forward part of a call,
   * drain_cpu_ms_per_frame = CPU ms per image. Newer columns come last, so files of earlier versions
   * read with those unknown.
   */
  public static final List<String> COLUMNS = List.of("size", "scenario", "model", "device", "encoding", "frames",
      "partitions", "stream_threads", "batch", "queue_delay_ms", "instances", "frames_per_s", "dead_letters",
      "paced_fps", "paced_frames", "p50_ms", "p95_ms", "p99_ms", "max_ms", "drain_avg_batch", "drain_queue_ms",
      "drain_compute_ms", "paced_avg_batch", "paced_queue_ms", "paced_compute_ms", "batch_call_ms",
      "drain_cpu_ms_per_frame", "drain_jit_ms_per_frame", "paced_cpu_ms_per_frame", "load_avg", "finished", "cores",
      "drain_device_busy", "paced_device_busy", "drain_arrivals_per_s", "broker", "broker_pid",
      "from_topic_p50_ms", "from_topic_p99_ms", "drain_machine_busy", "paced_machine_busy", "processing_p50_ms",
      "processing_p99_ms", "model_call_p50_ms", "model_call_p99_ms", "drain_window_wait", "drain_alloc_kb_per_frame",
      "drain_kafka_wait", "core_probe_ms", "broker_log_dir", "drain_broker_cpu_ms_per_frame",
      "paced_broker_cpu_ms_per_frame");

  public static final String HEADER = String.join(",", COLUMNS);

  private StreamBenchResult() {}

  /** What ran: the model and device, and how the processor was set up (for the ceiling: batch only). */
  public record Config(String model, String device, String encoding, int partitions, int streamThreads, int batch,
      int queueDelayMs, int instances) {}

  /**
   * Where the broker ran: {@code placement} is a {@link BrokerPlacement} label, {@code pid} its process,
   * {@code logDir} where it kept its log and on what file system (empty when unknown).
   */
  public record Broker(String placement, long pid, String logDir) {}

  /**
   * The machine: its cores, the 1-minute load average before / after the scenario (other programs
   * included), the broker (null for the ceiling, which has none), and {@link CoreProbe}'s CPU ms just
   * before the scenario (how fast a core ran segstream's code then; NaN when unknown).
   */
  public record Host(int cores, String loadAverage, Broker broker, double coreProbeMs) {}

  /**
   * (a): one model instance called back to back: images/s, one call's mean time, the model forward
   * part of it, and CPU of the whole process per image.
   */
  public record CeilingResult(int images, double imagesPerSecond, double batchCallMs, double forwardMsPerCall,
      double cpuMsPerImage) {}

  /** The dynamic batcher's Triton-style figures over one phase: averages per image or per model call. */
  public record BatcherFigures(double avgBatch, double queueMs, double computeMsPerCall) {

    /** The figures of {@code totals}; null when there is no batcher (totals null). */
    static BatcherFigures of(InferenceMetrics.Totals totals) {
      return totals == null ? null
          : new BatcherFigures(totals.meanBatchSize(), totals.meanQueueMs(), totals.meanComputeMsPerCall());
    }

    double computeMsPerFrame() {
      return computeMsPerCall / avgBatch;
    }
  }

  /**
   * Backlog drain after warm-up. {@code framesPerSecond}: frames whose model call started and finished
   * inside the measured window, over that window; {@code arrivalsPerSecond}: masks arriving at the
   * consumer over the time from the warm-up's last mask to the last mask (end to end, released in
   * per-partition bursts, so a short run can read above what the model did). CPU: the whole process's
   * per measured frame. {@code batcher}: null without one; {@code deviceBusy}: a simulated device's busy
   * time over the window, NaN when unknown; {@code machineBusy}: the busy share of all the machine's
   * cores meanwhile (broker and other programs included), NaN when unknown; {@code windowWait}: the
   * share of the stream threads' time spent waiting for room in a full window of frames in flight
   * (near 1: the window, not the device or the CPU, set the pace), NaN when unknown; {@code kafkaWait}:
   * the share of their time spent blocked on Kafka (mostly in the consumer's poll, waiting for frames to
   * arrive), NaN when unknown; {@code allocatedKbPerFrame}: heap the whole process allocated per measured
   * frame (the garbage collector's load), NaN when unknown; {@code brokerCpuMsPerFrame}: CPU the broker's
   * own process used meanwhile, per measured frame, NaN when unknown or when the broker runs in this
   * process (its CPU is then in {@code cpuMsPerFrame}).
   */
  public record DrainPhase(int frames, double framesPerSecond, double arrivalsPerSecond, double cpuMsPerFrame,
      double jitMsPerFrame, BatcherFigures batcher, double deviceBusy, double machineBusy, double windowWait,
      double kafkaWait, double allocatedKbPerFrame, double brokerCpuMsPerFrame) {}

  /** The median and 99th percentile of one latency, in milliseconds; NaN when unknown. */
  public record Spread(double p50Ms, double p99Ms) {

    public static final Spread UNKNOWN = new Spread(Double.NaN, Double.NaN);

    /** The spread of {@code millis}, in any order; UNKNOWN when empty. */
    static Spread of(Collection<Double> millis) {
      double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      return new Spread(Percentiles.of(sorted, 0.50), Percentiles.of(sorted, 0.99));
    }

    boolean known() {
      return !Double.isNaN(p99Ms);
    }
  }

  /**
   * Paced run: {@code frames} sent at {@code rate} per second; latency percentiles in milliseconds from
   * capture to the mask's arrival at a consumer. Where that time goes, per frame, as p50 and p99:
   * {@code fromTopic} starts at the frame's append to the frames topic, which leaves out the camera's
   * own way into Kafka; {@code processing} runs from the frame entering the processor to its mask being
   * built (parse, decode, model call, encoding: the mask's {@code processingLatencyMs}), which leaves out
   * both Kafka hops and the wait to be forwarded in order; {@code modelCall} is the segmenter call alone,
   * queueing in the batcher included (the mask's {@code inferenceLatencyMs}). {@code machineBusy} and
   * {@code brokerCpuMsPerFrame} as in {@link DrainPhase}.
   */
  public record PacedPhase(int frames, double rate, double p50Ms, double p95Ms, double p99Ms, double maxMs,
      double cpuMsPerFrame, BatcherFigures batcher, double deviceBusy, double machineBusy, Spread fromTopic,
      Spread processing, Spread modelCall, double brokerCpuMsPerFrame) {}

  /** (b) or (c): both phases, and the dead letters read over both. */
  public record KafkaScenarioResult(DrainPhase drain, PacedPhase paced, int deadLetters) {}

  /** One scenario at one size; exactly one of {@code ceiling} and {@code kafka} is set. */
  public record Row(String size, String scenario, Config config, Host host, CeilingResult ceiling,
      KafkaScenarioResult kafka, String finished) {

    public Row {
      if ((ceiling == null) == (kafka == null)) {
        throw new IllegalArgumentException("a row holds the ceiling's figures or a Kafka scenario's, one of them");
      }
    }

    public boolean isKafka() {
      return kafka != null;
    }

    /** The headline figure: images/s of the ceiling, drained frames/s of a Kafka scenario. */
    public double framesPerSecond() {
      return isKafka() ? kafka.drain().framesPerSecond() : ceiling.imagesPerSecond();
    }

    /** CPU ms per image of the ceiling, per drained frame of a Kafka scenario. */
    public double cpuMsPerFrame() {
      return isKafka() ? kafka.drain().cpuMsPerFrame() : ceiling.cpuMsPerImage();
    }

    /** The row as named CSV fields (empty where a figure does not apply or is unknown). */
    Map<String, String> fields() {
      Map<String, String> f = new LinkedHashMap<>();
      f.put("size", size);
      f.put("scenario", scenario);
      f.put("model", config.model());
      f.put("device", config.device());
      f.put("encoding", config.encoding());
      f.put("partitions", Integer.toString(config.partitions()));
      f.put("stream_threads", Integer.toString(config.streamThreads()));
      f.put("batch", Integer.toString(config.batch()));
      f.put("queue_delay_ms", Integer.toString(config.queueDelayMs()));
      f.put("instances", Integer.toString(config.instances()));
      f.put("cores", Integer.toString(host.cores()));
      f.put("load_avg", host.loadAverage());
      f.put("core_probe_ms", number(host.coreProbeMs()));
      f.put("broker", host.broker() == null ? "" : host.broker().placement());
      f.put("broker_pid", host.broker() == null ? "" : Long.toString(host.broker().pid()));
      f.put("broker_log_dir", host.broker() == null ? "" : host.broker().logDir());
      f.put("finished", finished);
      if (ceiling != null) {
        f.put("frames", Integer.toString(ceiling.images()));
        f.put("frames_per_s", number(ceiling.imagesPerSecond()));
        f.put("drain_avg_batch", number(config.batch()));
        f.put("batch_call_ms", number(ceiling.batchCallMs()));
        f.put("drain_compute_ms", number(ceiling.forwardMsPerCall()));
        f.put("drain_cpu_ms_per_frame", number(ceiling.cpuMsPerImage()));
        f.put("dead_letters", "0");
        f.put("paced_frames", "0");
        return f;
      }
      DrainPhase drain = kafka.drain();
      PacedPhase paced = kafka.paced();
      f.put("frames", Integer.toString(drain.frames()));
      f.put("frames_per_s", number(drain.framesPerSecond()));
      f.put("drain_arrivals_per_s", number(drain.arrivalsPerSecond()));
      f.put("drain_cpu_ms_per_frame", number(drain.cpuMsPerFrame()));
      f.put("drain_jit_ms_per_frame", number(drain.jitMsPerFrame()));
      f.put("drain_device_busy", number(drain.deviceBusy()));
      putBatcher(f, "drain", drain.batcher());
      f.put("dead_letters", Integer.toString(kafka.deadLetters()));
      f.put("paced_fps", number(paced.rate()));
      f.put("paced_frames", Integer.toString(paced.frames()));
      f.put("p50_ms", number(paced.p50Ms()));
      f.put("p95_ms", number(paced.p95Ms()));
      f.put("p99_ms", number(paced.p99Ms()));
      f.put("max_ms", number(paced.maxMs()));
      f.put("paced_cpu_ms_per_frame", number(paced.cpuMsPerFrame()));
      f.put("paced_device_busy", number(paced.deviceBusy()));
      putSpread(f, "from_topic", paced.fromTopic());
      f.put("drain_machine_busy", number(drain.machineBusy()));
      f.put("paced_machine_busy", number(paced.machineBusy()));
      putSpread(f, "processing", paced.processing());
      putSpread(f, "model_call", paced.modelCall());
      f.put("drain_window_wait", number(drain.windowWait()));
      f.put("drain_alloc_kb_per_frame", number(drain.allocatedKbPerFrame()));
      f.put("drain_kafka_wait", number(drain.kafkaWait()));
      f.put("drain_broker_cpu_ms_per_frame", number(drain.brokerCpuMsPerFrame()));
      f.put("paced_broker_cpu_ms_per_frame", number(paced.brokerCpuMsPerFrame()));
      putBatcher(f, "paced", paced.batcher());
      return f;
    }

    private static void putBatcher(Map<String, String> f, String phase, BatcherFigures batcher) {
      if (batcher != null) {
        f.put(phase + "_avg_batch", number(batcher.avgBatch()));
        f.put(phase + "_queue_ms", number(batcher.queueMs()));
        f.put(phase + "_compute_ms", number(batcher.computeMsPerCall()));
      }
    }

    private static void putSpread(Map<String, String> f, String latency, Spread spread) {
      f.put(latency + "_p50_ms", number(spread.p50Ms()));
      f.put(latency + "_p99_ms", number(spread.p99Ms()));
    }

    /** The CSV line, in {@link #COLUMNS} order. */
    String csv() {
      Map<String, String> f = fields();
      return String.join(",", COLUMNS.stream().map(c -> Objects.requireNonNullElse(f.get(c), "")).toList());
    }
  }

  /** Reads a line written under {@code header} (which may lack the newer columns) back into a row. */
  static Row parse(String header, String line) {
    String[] names = header.split(",");
    String[] values = line.split(",", -1);
    if (values.length != names.length) {
      throw new IllegalArgumentException("row has " + values.length + " fields, header " + names.length);
    }
    Map<String, String> v = new HashMap<>();
    for (int i = 0; i < names.length; i++) {
      v.put(names[i], values[i]);
    }
    String scenario = v.get("scenario");
    Config config = new Config(v.get("model"), v.get("device"), v.get("encoding"), integer(v.get("partitions")),
        integer(v.get("stream_threads")), integer(v.get("batch")), integer(v.get("queue_delay_ms")),
        integer(v.get("instances")));
    String placement = v.getOrDefault("broker", "");
    Host host = new Host(integer(v.get("cores")), v.get("load_avg"),
        placement.isEmpty() ? null
            : new Broker(placement, Long.parseLong(v.get("broker_pid")), v.getOrDefault("broker_log_dir", "")),
        real(v.get("core_probe_ms")));
    if (scenario.equals(StreamBench.CEILING)) {
      CeilingResult ceiling = new CeilingResult(integer(v.get("frames")), real(v.get("frames_per_s")),
          real(v.get("batch_call_ms")), real(v.get("drain_compute_ms")), real(v.get("drain_cpu_ms_per_frame")));
      return new Row(v.get("size"), scenario, config, host, ceiling, null, v.get("finished"));
    }
    DrainPhase drain = new DrainPhase(integer(v.get("frames")), real(v.get("frames_per_s")),
        real(v.get("drain_arrivals_per_s")), real(v.get("drain_cpu_ms_per_frame")),
        real(v.get("drain_jit_ms_per_frame")), batcher(v, "drain"), real(v.get("drain_device_busy")),
        real(v.get("drain_machine_busy")), real(v.get("drain_window_wait")), real(v.get("drain_kafka_wait")),
        real(v.get("drain_alloc_kb_per_frame")), real(v.get("drain_broker_cpu_ms_per_frame")));
    PacedPhase paced = new PacedPhase(integer(v.get("paced_frames")), real(v.get("paced_fps")),
        real(v.get("p50_ms")), real(v.get("p95_ms")), real(v.get("p99_ms")), real(v.get("max_ms")),
        real(v.get("paced_cpu_ms_per_frame")), batcher(v, "paced"), real(v.get("paced_device_busy")),
        real(v.get("paced_machine_busy")), spread(v, "from_topic"), spread(v, "processing"), spread(v, "model_call"),
        real(v.get("paced_broker_cpu_ms_per_frame")));
    return new Row(v.get("size"), scenario, config, host, null,
        new KafkaScenarioResult(drain, paced, integer(v.get("dead_letters"))), v.get("finished"));
  }

  /** A phase's batcher figures, or null when the row has none (a scenario without a batcher). */
  private static BatcherFigures batcher(Map<String, String> v, String phase) {
    double avgBatch = real(v.get(phase + "_avg_batch"));
    return Double.isNaN(avgBatch) ? null
        : new BatcherFigures(avgBatch, real(v.get(phase + "_queue_ms")), real(v.get(phase + "_compute_ms")));
  }

  private static Spread spread(Map<String, String> v, String latency) {
    return new Spread(real(v.get(latency + "_p50_ms")), real(v.get(latency + "_p99_ms")));
  }

  private static String number(double value) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.3f", value);
  }

  private static int integer(String value) {
    return value == null || value.isEmpty() ? 0 : Integer.parseInt(value);
  }

  private static double real(String value) {
    return value == null || value.isEmpty() ? Double.NaN : Double.parseDouble(value);
  }
}
