package io.segstream.cli;

import io.segstream.bench.SimulatedAccelerator;
import io.segstream.contracts.ImageEncoding;
import io.segstream.ops.InferenceMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The stream benchmark's result files: a CSV and a Markdown page per size, and one over all sizes. */
final class StreamBenchReport {

  static final String HEADER = "size,scenario,model,device,encoding,frames,partitions,stream_threads,batch,"
      + "queue_delay_ms,instances,frames_per_s,dead_letters,paced_fps,paced_frames,p50_ms,p95_ms,p99_ms,max_ms,"
      + "drain_avg_batch,drain_queue_ms,drain_compute_ms,paced_avg_batch,paced_queue_ms,paced_compute_ms,"
      + "batch_call_ms,drain_cpu_ms_per_frame,drain_jit_ms_per_frame,paced_cpu_ms_per_frame,load_avg,finished,"
      + "cores,drain_device_busy,paced_device_busy";

  private StreamBenchReport() {}

  /**
   * One scenario at one size. Kafka scenarios: {@code framesPerSecond} from the drained backlog,
   * latency from the paced run; batcher figures (averages per image or per model call) for (c) only.
   * The ceiling: images/s of batched model calls, {@code batchCallMs} one call's mean time and
   * {@code drainComputeMs} the model forward part of it. Device busy: busy time over wall time of a
   * simulated accelerator (NaN for a real model).
   */
  record Row(String size, String scenario, String model, String device, String encoding, int frames,
      int partitions, int streamThreads, int batch, int queueDelayMs, int instances, double framesPerSecond,
      int deadLetters, double pacedFps, int pacedFrames, double p50Ms, double p95Ms, double p99Ms, double maxMs,
      double drainAvgBatch, double drainQueueMs, double drainComputeMs, double pacedAvgBatch,
      double pacedQueueMs, double pacedComputeMs, double batchCallMs, double drainCpuMs, double drainJitMs,
      double pacedCpuMs, String loadAverage, String finished, int cores, double drainDeviceBusy,
      double pacedDeviceBusy) {

    static Row ceiling(String size, StreamBenchCommand.Setup setup, PredictorThroughput.Result result,
        String load) {
      double nan = Double.NaN;
      return new Row(size, StreamBenchCommand.CEILING, modelName(setup), setup.device(), "-",
          result.calls() * result.batch(), 0, 0, result.batch(), 0, 1, result.imagesPerSecond(), 0, nan, 0,
          nan, nan, nan, nan, result.batch(), nan, result.forwardMsPerCall(), nan, nan, nan,
          result.meanMsPerCall(), result.cpuMsPerImage(), nan, nan, load, Instant.now().toString(), setup.cores(),
          nan, nan);
    }

    static Row kafka(String scenario, String size, StreamBenchCommand.Setup setup, ImageEncoding encoding,
        int threads, StreamScenario.Throughput throughput, StreamScenario.Latency latency, String load) {
      InferenceMetrics.Totals drain = throughput.batches();
      InferenceMetrics.Totals paced = latency.batches();
      boolean batched = drain != null;
      double nan = Double.NaN;
      return new Row(size, scenario, modelName(setup), setup.device(), encoding.name(), throughput.frames(),
          setup.partitions(), threads, batched ? setup.batch() : 1, batched ? setup.queueDelayMs() : 0,
          batched ? setup.instances() : 1, throughput.framesPerSecond(),
          throughput.deadLetters() + latency.deadLetters(), latency.rate(), latency.frames(), latency.p50Ms(),
          latency.p95Ms(), latency.p99Ms(), latency.maxMs(),
          batched ? drain.meanBatchSize() : nan, batched ? drain.meanQueueMs() : nan,
          batched ? drain.meanComputeMsPerCall() : nan, batched ? paced.meanBatchSize() : nan,
          batched ? paced.meanQueueMs() : nan, batched ? paced.meanComputeMsPerCall() : nan, nan,
          throughput.cpuMsPerFrame(), throughput.jitMsPerFrame(), latency.cpuMsPerFrame(), load,
          Instant.now().toString(), setup.cores(), throughput.deviceBusy(), latency.deviceBusy());
    }

    private static String modelName(StreamBenchCommand.Setup setup) {
      return setup.model().name() + ":" + setup.model().version();
    }

    String csv() {
      return String.join(",", size, scenario, model, device, encoding, Integer.toString(frames),
          Integer.toString(partitions), Integer.toString(streamThreads), Integer.toString(batch),
          Integer.toString(queueDelayMs), Integer.toString(instances), number(framesPerSecond),
          Integer.toString(deadLetters), number(pacedFps), Integer.toString(pacedFrames), number(p50Ms),
          number(p95Ms), number(p99Ms), number(maxMs), number(drainAvgBatch), number(drainQueueMs),
          number(drainComputeMs), number(pacedAvgBatch), number(pacedQueueMs), number(pacedComputeMs),
          number(batchCallMs), number(drainCpuMs), number(drainJitMs), number(pacedCpuMs), loadAverage, finished,
          Integer.toString(cores), number(drainDeviceBusy), number(pacedDeviceBusy));
    }

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
      return new Row(v.get("size"), v.get("scenario"), v.get("model"), v.get("device"), v.get("encoding"),
          integer(v.get("frames")), integer(v.get("partitions")), integer(v.get("stream_threads")),
          integer(v.get("batch")), integer(v.get("queue_delay_ms")), integer(v.get("instances")),
          real(v.get("frames_per_s")), integer(v.get("dead_letters")), real(v.get("paced_fps")),
          integer(v.get("paced_frames")), real(v.get("p50_ms")), real(v.get("p95_ms")), real(v.get("p99_ms")),
          real(v.get("max_ms")), real(v.get("drain_avg_batch")), real(v.get("drain_queue_ms")),
          real(v.get("drain_compute_ms")), real(v.get("paced_avg_batch")), real(v.get("paced_queue_ms")),
          real(v.get("paced_compute_ms")), real(v.get("batch_call_ms")), real(v.get("drain_cpu_ms_per_frame")),
          real(v.get("drain_jit_ms_per_frame")), real(v.get("paced_cpu_ms_per_frame")), v.get("load_avg"),
          v.get("finished"), integer(v.get("cores")), real(v.get("drain_device_busy")),
          real(v.get("paced_device_busy")));
    }

    boolean isKafka() {
      return !scenario.equals(StreamBenchCommand.CEILING);
    }
  }

  static String csv(List<Row> rows) {
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    rows.forEach(row -> csv.append(row.csv()).append('\n'));
    return csv.toString();
  }

  static List<Row> parse(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    // Files of earlier versions lack the newer columns at the end: those read as unknown.
    if (lines.isEmpty() || !(HEADER.equals(lines.get(0)) || HEADER.startsWith(lines.get(0) + ","))) {
      throw new IOException(csv + " is not a stream benchmark result (header differs)");
    }
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (!line.isBlank()) {
        rows.add(Row.parse(lines.get(0), line));
      }
    }
    return rows;
  }

  /** One size: how it was run, the side-by-side table, the batcher's figures and the targets. */
  static String sizeMarkdown(StreamBenchCommand.Setup setup, List<Row> rows) {
    StringBuilder md = new StringBuilder("# Streaming benchmark, ").append(rows.get(0).size()).append("\n\n");
    md.append("`").append(setup.command()).append("`\n\n");
    md.append(String.format(Locale.ROOT,
        "Model %s (%s), device %s, %d cores, TensorFlow %s. (c): %d stream threads, %d frames-topic partitions, "
            + "max batch %d, max queue delay %d ms, %d instance(s).%n%n",
        setup.model().name() + ":" + setup.model().version(), setup.model().modelDir(), setup.device(),
        setup.cores(), setup.session(), setup.streamThreads(), setup.partitions(), setup.batch(),
        setup.queueDelayMs(), setup.instances()));
    if (setup.simulated() != null) {
      md.append("Simulated accelerator (no model runs; masks are a fixed shape): ").append(setup.simulated())
          .append(". One batch at a time; the calling thread parks meanwhile and uses no CPU.\n\n");
    }
    md.append(String.format(Locale.ROOT,
        "Kafka scenarios: %s frames, %d warm-up + %d measured backlog frames, then %.0f s paced at %.0f%% of "
            + "the measured frames/s.%n%n",
        setup.encoding(), setup.warmupFrames(), setup.frames(), setup.latencySeconds(), 100 * setup.load()));
    md.append(table(rows)).append('\n');
    md.append(batcherTable(rows)).append('\n');
    md.append(targets(rows)).append('\n');
    md.append(METHOD);
    return md.toString();
  }

  /** Every size found in the output folder, one table. */
  static String combinedMarkdown(List<Path> csvFiles) throws IOException {
    List<Row> rows = new ArrayList<>();
    List<Path> used = new ArrayList<>();
    for (Path csv : csvFiles) {
      try {
        rows.addAll(parse(csv));
        used.add(csv);
      } catch (IOException | RuntimeException e) {
        System.err.println("skipping " + csv + ": " + e.getMessage());
      }
    }
    StringBuilder md = new StringBuilder("# Streaming benchmark results\n\n");
    md.append("From ").append(used.stream().map(p -> p.getFileName().toString()).toList())
        .append("; each size's page has its command and setup.\n\n");
    md.append(table(rows)).append('\n').append(batcherTable(rows)).append('\n').append(targets(rows))
        .append('\n').append(METHOD);
    return md.toString();
  }

  private static final String METHOD = """
      How it is measured: (a) calls one model instance back to back with batches of synthetic frames (no Kafka);
      frames/s is images/s. (b) and (c) run the segstream topology against an embedded KRaft broker in the same
      JVM, each on fresh topics. Before them the whole pipeline runs unmeasured for a while (JIT warm-up), so
      neither pays for compiling a broker, Kafka clients and Streams. Throughput: a backlog of warm-up + measured
      frames is produced, then the processor starts; frames/s counts the masks arriving at a consumer after the
      warm-up ones, over the time from the last warm-up mask to the last mask. Latency: afterwards frames are sent
      one at a time at the paced rate (a fraction of the scenario's own frames/s), each stamped with its capture
      time when sent; latency is capture time to the mask's arrival at the consumer (millisecond timestamps).
      Everything (broker, processor, producer, consumer, TensorFlow) shares this machine's cores; load = 1-minute
      load average before / after the scenario, which includes other programs on the machine. CPU ms/frame: CPU
      time of the whole process per measured frame, or per image for (a); unlike frames/s it hardly changes when
      other programs compete for the cores, and cores x 1000 / CPU ms per frame bounds frames/s; in brackets the
      time the JIT compilers spent meanwhile (their elapsed time, so an upper bound under load).
      """;


  /** The side-by-side table. */
  static String table(List<Row> rows) {
    StringBuilder md = new StringBuilder(
        "| size | scenario | frames/s | % of (a) | x (b) | CPU ms/frame (JIT) | paced fps | p50 ms | p95 ms | p99 ms "
            + "| max ms | threads | batch | dead letters | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      Optional<Row> ceiling = find(rows, r.size(), StreamBenchCommand.CEILING);
      Optional<Row> naive = find(rows, r.size(), StreamBenchCommand.NAIVE);
      md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s |%n",
          r.size(), r.scenario(), r.framesPerSecond(),
          ceiling.map(c -> String.format(Locale.ROOT, "%.0f%%", 100 * r.framesPerSecond() / c.framesPerSecond())).orElse(""),
          naive.map(n -> String.format(Locale.ROOT, "%.2f", r.framesPerSecond() / n.framesPerSecond())).orElse(""),
          cell(r.drainCpuMs(), "%.2f") + (Double.isNaN(r.drainJitMs()) ? "" : cell(r.drainJitMs(), " (%.2f)")),
          cell(r.pacedFps(), "%.1f"), cell(r.p50Ms(), "%.0f"), cell(r.p95Ms(), "%.0f"), cell(r.p99Ms(), "%.0f"),
          cell(r.maxMs(), "%.0f"), r.streamThreads() == 0 ? "" : Integer.toString(r.streamThreads()), r.batch(),
          r.isKafka() ? Integer.toString(r.deadLetters()) : "", r.loadAverage()));
    }
    return md.toString();
  }

  /** Triton-style figures of the dynamic batcher, and the ceiling's model call time. */
  static String batcherTable(List<Row> rows) {
    StringBuilder md = new StringBuilder(
        "| size | scenario | phase | avg batch | avg queue ms | compute ms per call | compute ms per frame | device busy |\n"
            + "|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (!r.isKafka()) {
        md.append(String.format(Locale.ROOT, "| %s | %s | back to back | %d | - | %.1f (model forward %.1f) | %.2f | - |%n",
            r.size(), r.scenario(), r.batch(), r.batchCallMs(), r.drainComputeMs(), r.batchCallMs() / r.batch()));
      } else if (!Double.isNaN(r.drainAvgBatch())) {
        md.append(String.format(Locale.ROOT, "| %s | %s | backlog | %.2f | %.1f | %.1f | %.2f | %s |%n", r.size(),
            r.scenario(), r.drainAvgBatch(), r.drainQueueMs(), r.drainComputeMs(), r.drainComputeMs() / r.drainAvgBatch(),
            percent(r.drainDeviceBusy())));
        md.append(String.format(Locale.ROOT, "| %s | %s | paced | %.2f | %.1f | %.1f | %.2f | %s |%n", r.size(),
            r.scenario(), r.pacedAvgBatch(), r.pacedQueueMs(), r.pacedComputeMs(), r.pacedComputeMs() / r.pacedAvgBatch(),
            percent(r.pacedDeviceBusy())));
      } else if (!Double.isNaN(r.drainDeviceBusy())) {
        md.append(String.format(Locale.ROOT, "| %s | %s | backlog | 1 | - | - | - | %s |%n", r.size(), r.scenario(),
            percent(r.drainDeviceBusy())));
        md.append(String.format(Locale.ROOT, "| %s | %s | paced | 1 | - | - | - | %s |%n", r.size(), r.scenario(),
            percent(r.pacedDeviceBusy())));
      }
    }
    return md.toString();
  }

  /**
   * The targets. With the model: (c) >= 90% of (a), >= 1.5x (b), p99 <= 2x one batch's compute time.
   * With a simulated accelerator (issue 10): (c) >= 80% of min(device capacity, CPU capacity), >= 3x
   * (b), p99 <= 3 x t(max batch).
   */
  static String targets(List<Row> rows) {
    StringBuilder md = new StringBuilder("Targets for (c): >= 90% of (a), >= 1.5x (b), p99 <= 2 x one full batch's model call in (a).\n");
    md.append("With the simulated accelerator: >= 80% of min(device capacity = (a)'s frames/s, CPU capacity = cores x 1000"
        + " / ((c) CPU ms per frame - (a) CPU ms per image)), >= 3x (b), p99 <= 3 x t(max batch) = 3 x (a)'s batch call.\n\n");
    rows.stream().map(Row::size).distinct().forEach(size -> {
      Optional<Row> c = find(rows, size, StreamBenchCommand.SEGSTREAM);
      if (c.isEmpty()) {
        return;
      }
      if (c.get().device().equals(SimulatedAccelerator.DEVICE)) {
        md.append("- ").append(size).append(" (simulated): ").append(simulatedChecks(rows, size, c.get())).append('\n');
        return;
      }
      List<String> checks = new ArrayList<>();
      find(rows, size, StreamBenchCommand.CEILING).ifPresent(a -> {
        double share = c.get().framesPerSecond() / a.framesPerSecond();
        checks.add(String.format(Locale.ROOT, "%.0f%% of (a) %s", 100 * share, verdict(share >= 0.9)));
        double limit = 2 * a.batchCallMs();
        checks.add(String.format(Locale.ROOT, "p99 %.0f ms vs 2 x %.1f ms = %.0f ms %s", c.get().p99Ms(),
            a.batchCallMs(), limit, verdict(c.get().p99Ms() <= limit)));
      });
      find(rows, size, StreamBenchCommand.NAIVE).ifPresent(b -> {
        double speedup = c.get().framesPerSecond() / b.framesPerSecond();
        checks.add(String.format(Locale.ROOT, "%.2fx (b) %s", speedup, verdict(speedup >= 1.5)));
      });
      md.append("- ").append(size).append(": ").append(String.join("; ", checks)).append('\n');
    });
    return md.toString();
  }

  private static String simulatedChecks(List<Row> rows, String size, Row c) {
    List<String> checks = new ArrayList<>();
    find(rows, size, StreamBenchCommand.CEILING).ifPresent(a -> {
      double device = a.framesPerSecond();
      double nonModelCpuMs = c.drainCpuMs() - a.drainCpuMs();
      double cpu = c.cores() > 0 && nonModelCpuMs > 0 ? c.cores() * 1000 / nonModelCpuMs : Double.NaN;
      double capacity = Double.isNaN(cpu) ? device : Math.min(device, cpu);
      double share = c.framesPerSecond() / capacity;
      checks.add(String.format(Locale.ROOT, "%.0f%% of min(device %.0f, CPU %s) frames/s %s", 100 * share, device,
          cell(cpu, "%.0f"), verdict(share >= 0.8)));
      double limit = 3 * a.batchCallMs();
      checks.add(String.format(Locale.ROOT, "p99 %.0f ms at %.1f frames/s vs 3 x %.1f ms = %.0f ms %s", c.p99Ms(),
          c.pacedFps(), a.batchCallMs(), limit, verdict(c.p99Ms() <= limit)));
    });
    find(rows, size, StreamBenchCommand.NAIVE).ifPresent(b -> {
      double speedup = c.framesPerSecond() / b.framesPerSecond();
      checks.add(String.format(Locale.ROOT, "%.2fx (b) %s", speedup, verdict(speedup >= 3)));
    });
    return String.join("; ", checks);
  }

  private static String percent(double fraction) {
    return Double.isNaN(fraction) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * fraction);
  }

  private static String verdict(boolean met) {
    return met ? "(met)" : "(NOT met)";
  }

  private static Optional<Row> find(List<Row> rows, String size, String scenario) {
    // The latest row wins when a folder holds several runs of one size.
    Row found = null;
    for (Row r : rows) {
      if (r.size().equals(size) && r.scenario().equals(scenario)) {
        found = r;
      }
    }
    return Optional.ofNullable(found);
  }

  private static String cell(double value, String format) {
    return Double.isNaN(value) ? "" : String.format(Locale.ROOT, format, value);
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
