package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CoreProbeTest {

  @Test
  void measuresTheCpuTimeOfItsFixedWork() {
    double millis = CoreProbe.millis();
    // 400 PNG encodes of a 256x256 mask take some CPU, and far less than a minute on any machine.
    assertTrue(millis > 0 && millis < 60_000, millis + " ms");
  }
}
