package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.inference.ColourModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench stream} end to end at a tiny size: all three scenarios run and their files are written. */
@Tag("integration")
@Timeout(300)
class StreamBenchCommandTest {

  @TempDir Path tmp;

  @Test
  void runsTheThreeScenariosAndWritesTheirFiles() throws Exception {
    Path model = ColourModel.export(tmp.resolve("colour"), ColourModel.Outputs.PROBABILITIES_AND_CLASSES);
    Path out = tmp.resolve("bench");

    int exit = new CommandLine(new SegstreamCli()).execute("bench", "stream", "--model", model.toString(),
        "--size", "32", "--frames", "96", "--warmup-frames", "8", "--jit-warmup-seconds", "1",
        "--partitions", "2", "--stream-threads", "2", "--max-batch-size", "2",
        "--latency-seconds", "0.5", "--ceiling-seconds", "0.2", "--timeout", "120", "--out", out.toString(),
        // A small window keeps model calls going after the warm-up masks arrive; with the default one
        // this short backlog is all at the model before the measurement starts.
        "-D", "max.frames.in.flight=2");

    assertEquals(0, exit);
    List<StreamBenchReport.Row> rows = StreamBenchReport.parse(out.resolve("stream-32.csv"));
    assertEquals(List.of(StreamBenchCommand.CEILING, StreamBenchCommand.NAIVE, StreamBenchCommand.SEGSTREAM),
        rows.stream().map(StreamBenchReport.Row::scenario).toList());
    StreamBenchReport.Row ceiling = rows.get(0);
    assertEquals("32x32", ceiling.size());
    assertEquals(2, ceiling.batch());
    assertTrue(ceiling.framesPerSecond() > 0 && ceiling.batchCallMs() > 0, ceiling.toString());
    for (StreamBenchReport.Row kafka : rows.subList(1, 3)) {
      // Counted from the poll that brought the 8th mask: at most the 96 after the warm-up ones.
      assertTrue(kafka.frames() > 0 && kafka.frames() <= 96, kafka.toString());
      assertEquals(0, kafka.deadLetters(), kafka.toString());
      assertTrue(kafka.framesPerSecond() > 0, kafka.toString());
      assertTrue(kafka.pacedFrames() >= 20, kafka.toString());
      assertTrue(0 <= kafka.p50Ms() && kafka.p50Ms() <= kafka.p95Ms() && kafka.p95Ms() <= kafka.p99Ms()
          && kafka.p99Ms() <= kafka.maxMs(), kafka.toString());
    }
    assertEquals(1, rows.get(1).streamThreads());
    assertEquals(2, rows.get(2).streamThreads());
    // The batcher's figures: batches of one or two frames, every frame through a model call.
    StreamBenchReport.Row segstream = rows.get(2);
    assertTrue(segstream.drainAvgBatch() >= 1 && segstream.drainAvgBatch() <= 2, segstream.toString());
    assertTrue(segstream.pacedAvgBatch() >= 1 && segstream.pacedAvgBatch() <= 2, segstream.toString());
    assertTrue(segstream.drainComputeMs() > 0, segstream.toString());

    String md = Files.readString(out.resolve("stream-32.md"));
    assertTrue(md.contains("| 32x32 | c-segstream |"), md);
    assertTrue(md.contains("--max-batch-size 2"), md);
    assertTrue(Files.readString(out.resolve("stream-results.md")).contains("| 32x32 | b-naive |"));
  }

  @Test
  void runsTheThreeScenariosAgainstASimulatedAccelerator() throws Exception {
    Path out = tmp.resolve("bench");
    // t(b) = 5 ms + b x 1 ms at 32x32: t(4) = 9 ms.
    int exit = new CommandLine(new SegstreamCli()).execute("bench", "stream", "--device", "simulated",
        "--simulated-overhead-ms", "5", "--simulated-ms-per-image", "1", "--simulated-reference-size", "32x32",
        // 96 frames: under load a short backlog could arrive whole in the poll that ends the warm-up,
        // leaving nothing to measure.
        "--model", "models/fcn-default", "--size", "32", "--frames", "96", "--warmup-frames", "8",
        "--jit-warmup-seconds", "1", "--partitions", "4", "--stream-threads", "4", "--max-batch-size", "4",
        "--latency-seconds", "0.5", "--ceiling-seconds", "0.3", "--timeout", "120", "--out", out.toString());

    assertEquals(0, exit);
    List<StreamBenchReport.Row> rows = StreamBenchReport.parse(out.resolve("stream-32.csv"));
    assertEquals(List.of(StreamBenchCommand.CEILING, StreamBenchCommand.NAIVE, StreamBenchCommand.SEGSTREAM),
        rows.stream().map(StreamBenchReport.Row::scenario).toList());
    rows.forEach(row -> assertEquals("simulated", row.device(), row.toString()));
    StreamBenchReport.Row ceiling = rows.get(0);
    // Back to back, each call takes t(4) = 9 ms: at most 4 / 9 ms = 444 images/s.
    assertTrue(ceiling.batchCallMs() >= 9, ceiling.toString());
    assertTrue(ceiling.framesPerSecond() <= 4 / 0.009 + 1e-6, ceiling.toString());
    for (StreamBenchReport.Row kafka : rows.subList(1, 3)) {
      assertEquals(0, kafka.deadLetters(), kafka.toString());
      assertTrue(kafka.drainDeviceBusy() > 0 && kafka.drainDeviceBusy() <= 1.0001, kafka.toString());
      assertTrue(kafka.pacedDeviceBusy() > 0 && kafka.pacedDeviceBusy() <= 1.0001, kafka.toString());
    }
    // No bound on (b)'s frames/s from t(1): frames/s counts mask arrivals, which the pipelined stage
    // releases in per-partition order, in bursts of up to max.frames.in.flight per task; over a backlog
    // this short a burst that was computed before the count began can land after it (a CI run measured
    // 299 frames/s against the device's 167). The device's own figures above bound the timing instead.
    StreamBenchReport.Row segstream = rows.get(2);
    assertTrue(segstream.drainAvgBatch() >= 1 && segstream.drainAvgBatch() <= 4, segstream.toString());
    // Every batch took t(b) of device time: compute per call at least t0 + k.
    assertTrue(segstream.drainComputeMs() >= 6, segstream.toString());

    String md = Files.readString(out.resolve("stream-32.md"));
    assertTrue(md.contains("Simulated accelerator (no model runs; masks are a fixed shape): "
        + "t(b) = 5.000 ms + b x 1.000 ms per 32x32 image"), md);
    assertTrue(md.contains("- 32x32 (simulated): "), md);
  }
}
