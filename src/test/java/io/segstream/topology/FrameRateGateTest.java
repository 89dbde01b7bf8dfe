package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameRateGateTest {

  @Test
  void thinsEachCameraToTheCapIndependently() {
    FrameRateGate gate = new FrameRateGate(10, 100);
    int admittedA = 0;
    int admittedB = 0;
    // Camera A sends 60 fps for 2 s; camera B sends 5 fps (under the cap).
    for (int i = 0; i < 120; i++) {
      if (gate.admit("a", 1_000 + Math.round(i * 1000.0 / 60))) {
        admittedA++;
      }
    }
    for (int i = 0; i < 10; i++) {
      if (gate.admit("b", 1_000 + i * 200L)) {
        admittedB++;
      }
    }
    assertEquals(20, admittedA, "60 fps for 2 s capped at 10 fps");
    assertEquals(10, admittedB, "a camera under the cap loses nothing");
  }

  @Test
  void zeroMeansNoCapAndAClockResetIsAdmitted() {
    FrameRateGate open = new FrameRateGate(0, 10);
    assertTrue(open.admit("a", 5));
    assertTrue(open.admit("a", 5));

    FrameRateGate gate = new FrameRateGate(1, 10);
    assertTrue(gate.admit("a", 10_000));
    assertFalse(gate.admit("a", 10_500));
    assertTrue(gate.admit("a", 2_000), "camera clock went backwards");
  }

  @Test
  void forgetsTheLeastRecentlySeenCameraBeyondTheBound() {
    FrameRateGate gate = new FrameRateGate(1, 2);
    assertTrue(gate.admit("a", 0));
    assertTrue(gate.admit("b", 0));
    assertTrue(gate.admit("c", 0)); // "a" is forgotten
    assertTrue(gate.admit("a", 100), "forgotten camera starts afresh");
    assertFalse(gate.admit("c", 100), "remembered camera is still capped");
  }
}
