package io.segstream.bench;

import io.segstream.bench.StreamBenchResult.BatcherFigures;
import io.segstream.bench.StreamBenchResult.KafkaScenarioResult;
import io.segstream.bench.StreamBenchResult.Row;
import io.segstream.contracts.ImageEncoding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The stream benchmark's result files: a CSV and a Markdown page per size, and one over all sizes. */
public final class StreamBenchReport {

  /** The one frame size (RAW) at which (c) must beat (b) 3x on the simulated accelerator. */
  private static final String THREE_X_SIZE = "128x128";

  private StreamBenchReport() {}

  static String csv(List<Row> rows) {
    StringBuilder csv = new StringBuilder(StreamBenchResult.HEADER).append('\n');
    rows.forEach(row -> csv.append(row.csv()).append('\n'));
    return csv.toString();
  }

  /** The rows of a CSV that {@link #csv} wrote, or an earlier version of it. */
  public static List<Row> parse(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv);
    // Files of earlier versions lack the newer columns at the end: those read as unknown.
    String header = StreamBenchResult.HEADER;
    if (lines.isEmpty() || !(header.equals(lines.get(0)) || header.startsWith(lines.get(0) + ","))) {
      throw new IOException(csv + " is not a stream benchmark result (header differs)");
    }
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (!line.isBlank()) {
        rows.add(StreamBenchResult.parse(lines.get(0), line));
      }
    }
    return rows;
  }

  /** One size: how it was run, the side-by-side table, the batcher's figures and the targets. */
  static String sizeMarkdown(StreamBench.Setup setup, int backlogFrames, List<Row> rows) {
    StreamBench.Plan plan = setup.plan();
    StringBuilder md = new StringBuilder("# Streaming benchmark, ").append(rows.get(0).size()).append("\n\n");
    md.append("`").append(plan.command()).append("`\n\n");
    md.append(String.format(Locale.ROOT,
        "Model %s (%s), device %s, %d cores, TensorFlow %s. (c): %d stream threads, %d frames-topic partitions, "
            + "max batch %d, max queue delay %d ms, %d instance(s).%n%n",
        setup.model().name() + ":" + setup.model().version(), setup.model().modelDir(), setup.device(),
        setup.cores(), setup.session(), plan.streamThreads(), plan.partitions(), setup.batch(),
        setup.queueDelayMs(), setup.instances()));
    if (plan.simulated() != null) {
      md.append("Simulated accelerator (no model runs; masks are a fixed shape): ").append(plan.simulated())
          .append(". One batch at a time; the calling thread parks meanwhile and uses no CPU.\n\n");
    }
    md.append(String.format(Locale.ROOT,
        "Kafka scenarios: %s frames, %d warm-up + %d measured backlog frames, then %.0f s paced at %.0f%% of "
            + "the measured frames/s. Broker: %s; its log in %s.%n%n",
        plan.encoding(), plan.warmupFrames(), backlogFrames, plan.latencySeconds(), 100 * plan.load(),
        plan.broker().description(), BrokerLogDir.describe(plan.brokerLogDir())));
    md.append(table(rows)).append('\n');
    md.append(latencyTable(rows)).append('\n');
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
    md.append(table(rows)).append('\n').append(latencyTable(rows)).append('\n').append(batcherTable(rows))
        .append('\n').append(targets(rows)).append('\n').append(METHOD);
    return md.toString();
  }

  private static final String METHOD = """
      How it is measured: (a) calls one model instance back to back with batches of synthetic frames (no
      Kafka); frames/s is images/s. (b) and (c) run the segstream topology against an embedded KRaft broker,
      in the same JVM or (`--broker process`) in a JVM of its own, each on fresh topics; the broker column
      says which. Before them whole rounds of (c) run unmeasured until the JIT compilers take under 3% of a
      round (JIT warm-up), so neither pays for compiling Kafka clients, Streams and Avro; then (a), (c) and
      (b), in that order (a (b) run before (c) in the same JVM seemed to slow (c), see docs/benchmarks.md).
      Throughput: a backlog of warm-up + measured frames is produced, then the processor starts; the frames
      handed to the model after the warm-up ones are measured, and frames/s is how many of their model calls
      finished over the time from the first one's hand-off to the last one's result, so every counted call ran
      inside the window (frames still in flight at its start only lengthen it). The masks' arrival rate at a
      consumer is in the CSV (drain_arrivals_per_s); it is not the figure, because the pipelined stage
      releases masks in per-partition bursts. Latency: afterwards frames are sent one at a time at the paced
      rate (a fraction of the scenario's own frames/s), each stamped with its capture time when sent; latency
      is capture time to the mask's arrival at the consumer (millisecond timestamps). The latency table splits
      it: "from the frames topic" starts at the frame's append to the frames topic instead (the bench's frames
      topic keeps LogAppendTime, which the mask record inherits), so it leaves out the camera's own way into
      Kafka; "processing" is the mask's own processingLatencyMs, from the frame entering the processor to its
      mask being built (parse, decode, model call, encoding), so it leaves out both Kafka hops and the wait to
      be forwarded in order; "model call" is the mask's inferenceLatencyMs, queueing in the batcher included.
      Everything (processor, producer, consumer, TensorFlow, and the broker unless it has its own process)
      shares this machine's cores; load = 1-minute load average before / after the scenario, which includes
      other programs on the machine. CPU ms/frame: CPU time of this process (the broker's too when it runs
      in-JVM) from the start of the measured window to the last mask, per measured frame, or per image for
      (a); unlike frames/s it hardly changes when other programs compete for the cores, and cores x 1000 / CPU
      ms per frame bounds frames/s; in brackets the time the JIT compilers spent meanwhile (their elapsed
      time, so an upper bound under load). Alloc KB/frame: heap this process allocated over the same window,
      per measured frame (the live threads' allocation counters; the broker's too when it runs in-JVM): the
      garbage collector's load. Machine CPU busy (batcher table): the busy share of all the machine's cores
      over the phase (/proc/stat), the broker in its own process and the bench's clients included; near
      100%, frames/s is bound by the machine, not by the device or the processor alone. Broker CPU
      ms/frame: CPU time of the broker's own process (--broker process) over the phase, per frame, kernel
      time included; with an in-JVM broker it is inside CPU ms/frame instead.
      Full-window wait (backlog): the share of the stream threads' time spent waiting for room in a full
      window of frames in flight (segstream.window.wait); near 100%, the window set the pace. Kafka wait
      (backlog): the share of their time blocked on Kafka (Kafka Streams' blocked-time-ns-total), mostly
      in the consumer's poll; near 100% with frames backlogged on the broker, the fetches set the pace.
      Core probe ms: one thread's CPU time for a fixed piece of segstream's own per-frame work
      (PNG-encoding 400 masks of 256x256) just before the scenario; when it is higher, a core of this
      machine ran slower just then.
      """;

  /** The side-by-side table. */
  static String table(List<Row> rows) {
    StringBuilder md = new StringBuilder(
        "| size | scenario | frames/s | % of (a) | x (b) | CPU ms/frame (JIT) | alloc KB/frame | paced fps | p50 ms "
            + "| p95 ms | p99 ms | max ms | threads | batch | dead letters | load | broker | core probe ms |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      Optional<Row> ceiling = find(rows, r.size(), StreamBench.CEILING);
      Optional<Row> naive = find(rows, r.size(), StreamBench.NAIVE);
      String shareOfCeiling = ceiling.map(c -> String.format(Locale.ROOT, "%.0f%%",
          100 * r.framesPerSecond() / c.framesPerSecond())).orElse("");
      String timesNaive = naive.map(n -> String.format(Locale.ROOT, "%.2f",
          r.framesPerSecond() / n.framesPerSecond())).orElse("");
      String head = String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %s | %s | %s |", r.size(), r.scenario(),
          r.framesPerSecond(), shareOfCeiling, timesNaive, cell(r.cpuMsPerFrame(), "%.2f")
              + (r.isKafka() ? cell(r.kafka().drain().jitMsPerFrame(), " (%.2f)") : ""),
          r.isKafka() ? cell(r.kafka().drain().allocatedKbPerFrame(), "%.0f") : "");
      String latency = r.isKafka() ? pacedCells(r.kafka()) : "  |  |  |  |  |";
      String broker = r.host().broker() == null ? "" : r.host().broker().placement();
      md.append(head).append(latency).append(String.format(Locale.ROOT, " %s | %d | %s | %s | %s | %s |%n",
          r.config().streamThreads() == 0 ? "" : Integer.toString(r.config().streamThreads()), r.config().batch(),
          r.isKafka() ? Integer.toString(r.kafka().deadLetters()) : "", r.host().loadAverage(), broker,
          cell(r.host().coreProbeMs(), "%.0f")));
    }
    return md.toString();
  }

  private static String pacedCells(KafkaScenarioResult kafka) {
    StreamBenchResult.PacedPhase p = kafka.paced();
    return String.format(Locale.ROOT, " %s | %s | %s | %s | %s |", cell(p.rate(), "%.1f"), cell(p.p50Ms(), "%.0f"),
        cell(p.p95Ms(), "%.0f"), cell(p.p99Ms(), "%.0f"), cell(p.maxMs(), "%.0f"));
  }

  /** Where the paced latency of each Kafka scenario goes: p50 / p99 of each part. */
  static String latencyTable(List<Row> rows) {
    StringBuilder md = new StringBuilder(
        "| size | scenario | paced fps | p50 / p99 ms from capture | from the frames topic | processing | model call |\n"
            + "|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (r.isKafka()) {
        StreamBenchResult.PacedPhase p = r.kafka().paced();
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", r.size(), r.scenario(),
            cell(p.rate(), "%.1f"), spread(new StreamBenchResult.Spread(p.p50Ms(), p.p99Ms())), spread(p.fromTopic()),
            spread(p.processing()), spread(p.modelCall())));
      }
    }
    return md.toString();
  }

  private static String spread(StreamBenchResult.Spread spread) {
    return spread.known() ? String.format(Locale.ROOT, "%.0f / %.0f", spread.p50Ms(), spread.p99Ms()) : "";
  }

  /** Triton-style figures of the dynamic batcher, and the ceiling's model call time. */
  static String batcherTable(List<Row> rows) {
    StringBuilder md = new StringBuilder(
        "| size | scenario | phase | avg batch | avg queue ms | compute ms per call | compute ms per frame | device busy "
            + "| machine CPU busy | broker CPU ms/frame | full-window wait | Kafka wait |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      if (!r.isKafka()) {
        md.append(String.format(Locale.ROOT,
            "| %s | %s | back to back | %d | - | %.1f (model forward %.1f) | %.2f | - | - | - | - | - |%n",
            r.size(), r.scenario(), r.config().batch(), r.ceiling().batchCallMs(), r.ceiling().forwardMsPerCall(),
            r.ceiling().batchCallMs() / r.config().batch()));
        continue;
      }
      StreamBenchResult.DrainPhase drain = r.kafka().drain();
      StreamBenchResult.PacedPhase paced = r.kafka().paced();
      if (drain.batcher() != null || !Double.isNaN(drain.deviceBusy())) {
        md.append(phaseLine(r, "backlog", drain.batcher(), drain.deviceBusy(), drain.machineBusy(),
            drain.brokerCpuMsPerFrame(), drain.windowWait(), drain.kafkaWait()));
        md.append(phaseLine(r, "paced", paced.batcher(), paced.deviceBusy(), paced.machineBusy(),
            paced.brokerCpuMsPerFrame(), Double.NaN, Double.NaN));
      }
    }
    return md.toString();
  }

  /** One phase's line; a scenario without a batcher makes one model call per frame. */
  private static String phaseLine(Row r, String phase, BatcherFigures batcher, double deviceBusy, double machineBusy,
      double brokerCpuMsPerFrame, double windowWait, double kafkaWait) {
    String machine = String.format(Locale.ROOT, "%s | %s | %s | %s", percent(machineBusy),
        cell(brokerCpuMsPerFrame, "%.2f"), percent(windowWait), percent(kafkaWait));
    if (batcher == null) {
      return String.format(Locale.ROOT, "| %s | %s | %s | 1 | - | - | - | %s | %s |%n", r.size(), r.scenario(), phase,
          percent(deviceBusy), machine);
    }
    return String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.1f | %.1f | %.2f | %s | %s |%n", r.size(),
        r.scenario(), phase, batcher.avgBatch(), batcher.queueMs(), batcher.computeMsPerCall(),
        batcher.computeMsPerFrame(), percent(deviceBusy), machine);
  }

  /**
   * The targets. With the model: (c) >= 90% of (a), >= 1.5x (b), p99 <= 2x one batch's compute time.
   * With a simulated accelerator (issue 10): (c) >= 80% of min(device capacity, CPU capacity), >= 3x
   * (b), p99 <= 3 x t(max batch).
   */
  static String targets(List<Row> rows) {
    StringBuilder md = new StringBuilder("Targets for (c): >= 90% of (a), >= 1.5x (b), p99 <= 2 x one full batch's model call in (a).\n");
    md.append("With the simulated accelerator: >= 80% of min(device capacity = (a)'s frames/s, CPU capacity = cores x 1000"
        + " / ((c) CPU ms per frame - (a) CPU ms per image)), >= 3x (b) at 128x128 RAW, p99 <= 3 x t(max batch) = 3 x (a)'s batch call.\n\n");
    rows.stream().map(Row::size).distinct().forEach(size -> {
      Optional<Row> c = find(rows, size, StreamBench.SEGSTREAM);
      if (c.isEmpty()) {
        return;
      }
      if (c.get().config().device().equals(SimulatedAccelerator.DEVICE)) {
        md.append("- ").append(size).append(" (simulated): ").append(simulatedChecks(rows, size, c.get())).append('\n');
        return;
      }
      double p99 = c.get().kafka().paced().p99Ms();
      List<String> checks = new ArrayList<>();
      find(rows, size, StreamBench.CEILING).ifPresent(a -> {
        double share = c.get().framesPerSecond() / a.framesPerSecond();
        checks.add(String.format(Locale.ROOT, "%.0f%% of (a) %s", 100 * share, verdict(share >= 0.9)));
        double limit = 2 * a.ceiling().batchCallMs();
        checks.add(String.format(Locale.ROOT, "p99 %.0f ms vs 2 x %.1f ms = %.0f ms %s%s", p99,
            a.ceiling().batchCallMs(), limit, verdict(p99 <= limit), latencyParts(c.get().kafka().paced())));
      });
      find(rows, size, StreamBench.NAIVE).ifPresent(b -> {
        double speedup = c.get().framesPerSecond() / b.framesPerSecond();
        checks.add(String.format(Locale.ROOT, "%.2fx (b) %s", speedup, verdict(speedup >= 1.5)));
      });
      md.append("- ").append(size).append(": ").append(String.join("; ", checks)).append('\n');
    });
    return md.toString();
  }

  private static String simulatedChecks(List<Row> rows, String size, Row c) {
    List<String> checks = new ArrayList<>();
    StreamBenchResult.PacedPhase paced = c.kafka().paced();
    find(rows, size, StreamBench.CEILING).ifPresent(a -> {
      double device = a.framesPerSecond();
      double nonModelCpuMs = c.cpuMsPerFrame() - a.cpuMsPerFrame();
      int cores = c.host().cores();
      double cpu = cores > 0 && nonModelCpuMs > 0 ? cores * 1000 / nonModelCpuMs : Double.NaN;
      double capacity = Double.isNaN(cpu) ? device : Math.min(device, cpu);
      double share = c.framesPerSecond() / capacity;
      // The CPU capacity counts this process alone; the machine's busy share says whether the cores, which
      // the broker and the bench's clients share, were the bound.
      String machine = cell(100 * c.kafka().drain().machineBusy(), " (machine CPU %.0f%% busy)");
      checks.add(String.format(Locale.ROOT, "%.0f%% of min(device %.0f, CPU %s) frames/s %s%s", 100 * share, device,
          cell(cpu, "%.0f"), verdict(share >= 0.8), machine));
      double limit = 3 * a.ceiling().batchCallMs();
      checks.add(String.format(Locale.ROOT, "p99 %.0f ms at %.1f frames/s vs 3 x %.1f ms = %.0f ms %s%s%s", paced.p99Ms(),
          paced.rate(), a.ceiling().batchCallMs(), limit, verdict(paced.p99Ms() <= limit), latencyParts(paced),
          pacedMachine(paced)));
    });
    find(rows, size, StreamBench.NAIVE).ifPresent(b -> {
      double speedup = c.framesPerSecond() / b.framesPerSecond();
      // Issue 10 sets this bar at 128x128 RAW only.
      boolean judged = size.equals(THREE_X_SIZE) && c.config().encoding().equals(ImageEncoding.RAW_RGB8.name());
      checks.add(String.format(Locale.ROOT, "%.2fx (b) %s", speedup,
          judged ? verdict(speedup >= 3) : "(judged at " + THREE_X_SIZE + " RAW only)"));
    });
    return String.join("; ", checks);
  }

  /**
   * How busy the machine was while paced, and the broker's part of it: latency on cores the broker and
   * the bench's clients keep busy is queueing for a core, not the processor's own.
   */
  private static String pacedMachine(StreamBenchResult.PacedPhase paced) {
    if (Double.isNaN(paced.machineBusy())) {
      return "";
    }
    return String.format(Locale.ROOT, " (machine CPU %.0f%% busy while paced%s)", 100 * paced.machineBusy(),
        cell(paced.brokerCpuMsPerFrame(), "; the broker's process %.2f ms CPU per frame"));
  }

  /** The p99s of the latency's parts that are known: where the time went. */
  private static String latencyParts(StreamBenchResult.PacedPhase paced) {
    List<String> parts = new ArrayList<>();
    if (paced.fromTopic().known()) {
      parts.add(String.format(Locale.ROOT, "from the frames topic: %.0f ms", paced.fromTopic().p99Ms()));
    }
    if (paced.modelCall().known()) {
      parts.add(String.format(Locale.ROOT, "model call: %.0f ms", paced.modelCall().p99Ms()));
    }
    return parts.isEmpty() ? "" : " (" + String.join("; ", parts) + ")";
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
}
