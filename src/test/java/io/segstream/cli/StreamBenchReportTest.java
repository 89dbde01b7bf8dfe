package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamBenchReportTest {

  @TempDir Path tmp;

  private static StreamBenchReport.Row row(String size, String scenario, double fps, double p99, double batchCallMs) {
    double nan = Double.NaN;
    return new StreamBenchReport.Row(size, scenario, "m:1", "cpu", "RAW_RGB8", 100, 8, 8, 8, 5, 1, fps, 0,
        0.8 * fps, 50, p99 / 2, p99 * 0.9, p99, p99 + 1, 6.5, 2.0, 20.0, 2.5, 1.0, 8.0, batchCallMs, 7.5, 0.5, nan,
        "1.00 / 1.20", "2026-01-01T00:00:00Z", 2, nan, nan);
  }

  /** A row against the simulated accelerator: {@code cpuMs} per frame (per image for the ceiling). */
  private static StreamBenchReport.Row simulated(String scenario, double fps, double p99, double batchCallMs,
      double cpuMs, double busy) {
    double nan = Double.NaN;
    boolean batched = scenario.equals(StreamBenchCommand.SEGSTREAM);
    return new StreamBenchReport.Row("128x128", scenario, "m:1", "simulated", "RAW_RGB8", 100, 2, 2, 32, 5, 1, fps,
        0, 0.5 * fps, 50, p99 / 2, p99 * 0.9, p99, p99 + 1, batched ? 20 : nan, 2.0, 3.2, batched ? 10 : nan, 1.0,
        2.5, batchCallMs, cpuMs, 0.5, nan,
        "1.00 / 1.20", "2026-01-01T00:00:00Z", 2, busy, busy / 2);
  }

  @Test
  void simulatedRowsAreJudgedAgainstTheDeviceOrTheCpuWhicheverLimits() throws Exception {
    List<StreamBenchReport.Row> rows = List.of(
        simulated(StreamBenchCommand.CEILING, 9_000, Double.NaN, 3.5, 0.01, Double.NaN),
        simulated(StreamBenchCommand.NAIVE, 300, 12, Double.NaN, 6.0, 0.6),
        // CPU capacity 2 x 1000 / (2.01 - 0.01) = 1000 frames/s, far below the device's 9000.
        simulated(StreamBenchCommand.SEGSTREAM, 850, 9, Double.NaN, 2.01, 0.25));
    Path csv = Files.writeString(tmp.resolve("stream-128.csv"), StreamBenchReport.csv(rows));
    assertEquals(rows, StreamBenchReport.parse(csv));

    String md = StreamBenchReport.combinedMarkdown(List.of(csv));
    assertTrue(md.contains("- 128x128 (simulated): 85% of min(device 9000, CPU 1000) frames/s (met); "
        + "p99 9 ms at 425.0 frames/s vs 3 x 3.5 ms = 11 ms (met); 2.83x (b) (NOT met)"), md);
    assertTrue(md.contains("| 128x128 | c-segstream | backlog | 20.00 | 2.0 | 3.2 | 0.16 | 25% |"), md);
    assertTrue(md.contains("| 128x128 | b-naive | paced | 1 | - | - | - | 30% |"), md);
  }

  @Test
  void resultsOfAnEarlierVersionStillRead() throws Exception {
    String oldHeader = StreamBenchReport.HEADER.substring(0, StreamBenchReport.HEADER.indexOf(",cores"));
    String line = row("128x128", StreamBenchCommand.NAIVE, 150, 30, Double.NaN).csv();
    String oldLine = line.substring(0, line.lastIndexOf(",", line.lastIndexOf(",", line.lastIndexOf(",") - 1) - 1));
    Path csv = Files.writeString(tmp.resolve("stream-old.csv"), oldHeader + "\n" + oldLine + "\n");
    StreamBenchReport.Row read = StreamBenchReport.parse(csv).get(0);
    assertEquals(150, read.framesPerSecond(), 1e-9);
    assertEquals(0, read.cores(), "unknown");
    assertTrue(Double.isNaN(read.drainDeviceBusy()));
  }

  @Test
  void csvRoundTripsAndTheTargetsAreJudged() throws Exception {
    List<StreamBenchReport.Row> small = List.of(
        row("128x128", StreamBenchCommand.CEILING, 300, Double.NaN, 25),
        row("128x128", StreamBenchCommand.NAIVE, 150, 30, Double.NaN),
        row("128x128", StreamBenchCommand.SEGSTREAM, 285, 45, Double.NaN));
    List<StreamBenchReport.Row> large = List.of(
        row("256x256", StreamBenchCommand.CEILING, 80, Double.NaN, 100),
        row("256x256", StreamBenchCommand.NAIVE, 60, 30, Double.NaN),
        row("256x256", StreamBenchCommand.SEGSTREAM, 64, 250, Double.NaN));
    Path smallCsv = Files.writeString(tmp.resolve("stream-128.csv"), StreamBenchReport.csv(small));
    Path largeCsv = Files.writeString(tmp.resolve("stream-256.csv"), StreamBenchReport.csv(large));

    assertEquals(small, StreamBenchReport.parse(smallCsv));

    String md = StreamBenchReport.combinedMarkdown(List.of(smallCsv, largeCsv));
    assertTrue(md.contains("- 128x128: 95% of (a) (met); p99 45 ms vs 2 x 25.0 ms = 50 ms (met); 1.90x (b) (met)"), md);
    assertTrue(md.contains("- 256x256: 80% of (a) (NOT met); p99 250 ms vs 2 x 100.0 ms = 200 ms (NOT met); 1.07x (b) (NOT met)"), md);
    assertTrue(md.contains("| 256x256 | c-segstream | 64.0 | 80% | 1.07 | 7.50 (0.50) |"), md);
    assertTrue(md.contains("| 128x128 | c-segstream | backlog | 6.50 | 2.0 | 20.0 | 3.08 |"), md);
  }
}
