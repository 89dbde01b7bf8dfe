package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.segstream.contracts.ImageEncoding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How many backlog frames a scenario measures. */
class StreamBenchPlanTest {

  private static StreamBench.Plan plan(int frames, SimulatedAccelerator.Timing simulated) {
    return new StreamBench.Plan(List.of("128"), StreamBench.SCENARIOS, ImageEncoding.RAW_RGB8, 2, 2, 1000, frames,
        0, 0.5, 15, 10, Duration.ofMinutes(10), simulated, BrokerPlacement.IN_JVM, Path.of("/tmp"), Path.of("out"),
        "bench stream");
  }

  @Test
  void framesGivenAreFramesMeasured() {
    assertEquals(500, plan(500, SimulatedAccelerator.Timing.DEFAULT).backlogFrames(32, 128 * 128));
    assertEquals(500, plan(500, null).backlogFrames(8, 128 * 128));
  }

  @Test
  void theModelDrainsTheDefaultBacklog() {
    assertEquals(StreamBench.Plan.DEFAULT_FRAMES, plan(0, null).backlogFrames(8, 128 * 128));
  }

  @Test
  void aSimulatedDeviceDrainsFourSecondsOfItsCapacityAsFarAsTwoGibibytesAllow() {
    // t(32) at 128x128 = 2 ms + 32 x 1.20919 ms x 16,384 / 522,240 = 3.2139 ms: 9,956.7 frames/s, so
    // 39,827 frames in 4 s (1.96 GB of RAW pixels).
    assertEquals(39_827, plan(0, SimulatedAccelerator.Timing.DEFAULT).backlogFrames(32, 128 * 128));
    // At 640x360, 4 s would be 6,712 frames, but 2 GiB hold 3,106 of 691,200 bytes.
    assertEquals(3_106, plan(0, SimulatedAccelerator.Timing.DEFAULT).backlogFrames(32, 640 * 360));
    // Never fewer than the default.
    assertEquals(StreamBench.Plan.DEFAULT_FRAMES, plan(0, SimulatedAccelerator.Timing.DEFAULT).backlogFrames(32, 1920 * 1080));
  }
}
