package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.bench.StreamBenchResult.BatcherFigures;
import io.segstream.bench.StreamBenchResult.Broker;
import io.segstream.bench.StreamBenchResult.CeilingResult;
import io.segstream.bench.StreamBenchResult.Config;
import io.segstream.bench.StreamBenchResult.DrainPhase;
import io.segstream.bench.StreamBenchResult.Host;
import io.segstream.bench.StreamBenchResult.KafkaScenarioResult;
import io.segstream.bench.StreamBenchResult.PacedPhase;
import io.segstream.bench.StreamBenchResult.Row;
import io.segstream.bench.StreamBenchResult.Spread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamBenchReportTest {

  private static final double NAN = Double.NaN;
  private static final String LOAD = "1.00 / 1.20";
  private static final String FINISHED = "2026-01-01T00:00:00Z";

  @TempDir Path tmp;

  /** A row of a model run: the ceiling's figures, or a Kafka scenario's (batched, broker in-JVM). */
  private static Row row(String size, String scenario, double fps, double p99, double batchCallMs) {
    Config config = new Config("m:1", "cpu", "RAW_RGB8", 8, 8, 8, 5, 1);
    if (scenario.equals(StreamBench.CEILING)) {
      return new Row(size, scenario, new Config("m:1", "cpu", "-", 0, 0, 8, 0, 1), new Host(2, LOAD, null, NAN),
          new CeilingResult(100, fps, batchCallMs, 20.0, 7.5), null, FINISHED);
    }
    DrainPhase drain = new DrainPhase(100, fps, 1.25 * fps, 7.5, 0.5, new BatcherFigures(6.5, 2.0, 20.0), NAN, NAN, NAN,
        NAN, NAN, NAN);
    PacedPhase paced = new PacedPhase(50, 0.8 * fps, p99 / 2, p99 * 0.9, p99, p99 + 1, NAN,
        new BatcherFigures(2.5, 1.0, 8.0), NAN, NAN, Spread.UNKNOWN, Spread.UNKNOWN, Spread.UNKNOWN, NAN);
    return new Row(size, scenario, config, new Host(2, LOAD, new Broker("in-JVM", 4242, "/tmp (ext4)"), NAN), null,
        new KafkaScenarioResult(drain, paced, 0), FINISHED);
  }

  /** A row against the simulated accelerator: {@code cpuMs} per frame (per image for the ceiling). */
  private static Row simulated(String scenario, double fps, double p99, double batchCallMs, double cpuMs, double busy) {
    return simulated("128x128", "RAW_RGB8", scenario, fps, p99, batchCallMs, cpuMs, busy);
  }

  private static Row simulated(String size, String encoding, String scenario, double fps, double p99, double batchCallMs,
      double cpuMs, double busy) {
    Config config = new Config("m:1", "simulated", encoding, 2, 2, 32, 5, 1);
    if (scenario.equals(StreamBench.CEILING)) {
      return new Row(size, scenario, new Config("m:1", "simulated", "-", 0, 0, 32, 0, 1), new Host(2, LOAD, null, 61.5),
          new CeilingResult(100, fps, batchCallMs, 3.2, cpuMs), null, FINISHED);
    }
    boolean batched = scenario.equals(StreamBench.SEGSTREAM);
    DrainPhase drain = new DrainPhase(100, fps, NAN, cpuMs, 0.5, batched ? new BatcherFigures(20, 2.0, 3.2) : null, busy,
        0.9, batched ? 0.125 : 0, batched ? 0.05 : 0.5, batched ? 151.5 : 250, batched ? 0.21 : 0.3);
    PacedPhase paced = new PacedPhase(50, 0.5 * fps, p99 / 2, p99 * 0.9, p99, p99 + 1, NAN,
        batched ? new BatcherFigures(10, 1.0, 2.5) : null, busy / 2, 0.6, new Spread(p99 / 3, p99 - 3),
        new Spread(p99 / 4, p99 - 4), new Spread(1, p99 - 5), batched ? 0.24 : NAN);
    return new Row(size, scenario, config, new Host(2, LOAD, new Broker("own process", 77, "/dev/shm (tmpfs: in memory)"), 62.5), null,
        new KafkaScenarioResult(drain, paced, 0), FINISHED);
  }

  @Test
  void simulatedRowsAreJudgedAgainstTheDeviceOrTheCpuWhicheverLimits() throws Exception {
    List<Row> rows = List.of(
        simulated(StreamBench.CEILING, 9_000, Double.NaN, 3.5, 0.01, Double.NaN),
        simulated(StreamBench.NAIVE, 300, 12, Double.NaN, 6.0, 0.6),
        // CPU capacity 2 x 1000 / (2.01 - 0.01) = 1000 frames/s, far below the device's 9000.
        simulated(StreamBench.SEGSTREAM, 850, 9, Double.NaN, 2.01, 0.25));
    Path csv = Files.writeString(tmp.resolve("stream-128.csv"), StreamBenchReport.csv(rows));
    assertEquals(rows, StreamBenchReport.parse(csv));

    String md = StreamBenchReport.combinedMarkdown(List.of(csv));
    assertTrue(md.contains("- 128x128 (simulated): 85% of min(device 9000, CPU 1000) frames/s (met) (machine CPU 90% busy); "
        + "p99 9 ms at 425.0 frames/s vs 3 x 3.5 ms = 11 ms (met) (from the frames topic: 6 ms; model call: 4 ms) "
        + "(machine CPU 60% busy while paced; the broker's process 0.24 ms CPU per frame); 2.83x (b) (NOT met)"), md);
    // Where the paced latency went, p50 / p99 of each part.
    assertTrue(md.contains("| 128x128 | c-segstream | 425.0 | 5 / 9 | 3 / 6 | 2 / 5 | 1 / 4 |"), md);
    assertTrue(md.contains("| 128x128 | b-naive | 150.0 | 6 / 12 | 4 / 9 | 3 / 8 | 1 / 7 |"), md);
    assertTrue(md.contains("| 128x128 | c-segstream | backlog | 20.00 | 2.0 | 3.2 | 0.16 | 25% | 90% | 0.21 | 13% | 5% |"), md);
    assertTrue(md.contains("| 128x128 | c-segstream | paced | 10.00 | 1.0 | 2.5 | 0.25 | 13% | 60% | 0.24 |  |  |"), md);
    assertTrue(md.contains("| 128x128 | b-naive | backlog | 1 | - | - | - | 60% | 90% | 0.30 | 0% |"), md);
    assertTrue(md.contains("| 128x128 | b-naive | paced | 1 | - | - | - | 30% | 60% |  |  |"), md);
  }

  @Test
  void theThreeTimesNaiveBarIsJudgedAt128RawOnly() {
    List<Row> rows = List.of(
        simulated("640x360", "JPEG", StreamBench.CEILING, 1_660, Double.NaN, 19.3, 0.03, Double.NaN),
        simulated("640x360", "JPEG", StreamBench.NAIVE, 370, 13, Double.NaN, 1.7, 0.2),
        simulated("640x360", "JPEG", StreamBench.SEGSTREAM, 970, 21, Double.NaN, 1.7, 0.8));

    String targets = StreamBenchReport.targets(rows);
    assertTrue(targets.contains("; 2.62x (b) (judged at 128x128 RAW only)"), targets);
    assertFalse(targets.contains("NOT met"), targets);
  }

  @Test
  void resultsOfAnEarlierVersionStillRead() throws Exception {
    String oldHeader = StreamBenchResult.HEADER.substring(0, StreamBenchResult.HEADER.indexOf(",cores"));
    int oldColumns = oldHeader.split(",").length;
    String[] fields = row("128x128", StreamBench.NAIVE, 150, 30, NAN).csv().split(",", -1);
    String oldLine = String.join(",", Arrays.copyOf(fields, oldColumns));
    Path csv = Files.writeString(tmp.resolve("stream-old.csv"), oldHeader + "\n" + oldLine + "\n");
    Row read = StreamBenchReport.parse(csv).get(0);
    assertEquals(150, read.framesPerSecond(), 1e-9);
    assertEquals(30, read.kafka().paced().p99Ms(), 1e-9);
    assertEquals(0, read.host().cores(), "unknown");
    assertTrue(Double.isNaN(read.kafka().drain().deviceBusy()));
    assertTrue(Double.isNaN(read.kafka().drain().arrivalsPerSecond()));
    assertTrue(!read.kafka().paced().fromTopic().known() && !read.kafka().paced().processing().known()
        && !read.kafka().paced().modelCall().known());
    assertTrue(Double.isNaN(read.kafka().drain().machineBusy()));
    assertTrue(Double.isNaN(read.kafka().drain().allocatedKbPerFrame()) && Double.isNaN(read.kafka().drain().kafkaWait()));
    assertTrue(Double.isNaN(read.kafka().drain().brokerCpuMsPerFrame())
        && Double.isNaN(read.kafka().paced().brokerCpuMsPerFrame()));
    assertNull(read.host().broker());
    assertTrue(Double.isNaN(read.host().coreProbeMs()));
  }

  @Test
  void theBrokerSaysWhichWayTheCpuFiguresWereTaken() throws Exception {
    List<Row> rows = List.of(simulated(StreamBench.CEILING, 9_000, NAN, 3.5, 0.01, NAN),
        simulated(StreamBench.SEGSTREAM, 850, 9, NAN, 2.01, 0.25));
    Path csv = Files.writeString(tmp.resolve("stream-128.csv"), StreamBenchReport.csv(rows));
    assertTrue(Files.readString(csv).contains(",own process,77,3.000,6.000,0.900,0.600,2.250,5.000,1.000,4.000,0.125,151.500,0.050,62.500,/dev/shm (tmpfs: in memory),0.210,0.240\n"),
        Files.readString(csv));
    List<Row> read = StreamBenchReport.parse(csv);
    assertEquals("/dev/shm (tmpfs: in memory)", read.get(1).host().broker().logDir());
    String table = StreamBenchReport.table(read);
    assertTrue(table.contains("| 128x128 | a-ceiling | 9000.0 | 100% |  | 0.01 |  |  |  |  |  |  |  | 32 |  | 1.00 / 1.20 |  | 62 |"),
        table);
    // Allocation per frame, then the paced phase.
    assertTrue(table.contains("| 2.01 (0.50) | 152 | 425.0 | 5 | 8 | 9 | 10 | 2 | 32 |"), table);
    assertTrue(table.contains("| 2 | 32 | 0 | 1.00 / 1.20 | own process | 63 |"), table);
  }

  @Test
  void csvRoundTripsAndTheTargetsAreJudged() throws Exception {
    List<Row> small = List.of(
        row("128x128", StreamBench.CEILING, 300, Double.NaN, 25),
        row("128x128", StreamBench.NAIVE, 150, 30, Double.NaN),
        row("128x128", StreamBench.SEGSTREAM, 285, 45, Double.NaN));
    List<Row> large = List.of(
        row("256x256", StreamBench.CEILING, 80, Double.NaN, 100),
        row("256x256", StreamBench.NAIVE, 60, 30, Double.NaN),
        row("256x256", StreamBench.SEGSTREAM, 64, 250, Double.NaN));
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
