package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class JitSettlingTest {

  @Test
  void itWaitsForAWholeWindowBeforeJudging() {
    JitSettling settling = new JitSettling(Duration.ofHours(1), 1.0);
    assertFalse(settling.getAsBoolean());
    assertTrue(Double.isNaN(settling.lastShare()));
  }

  @Test
  void aWindowIsSettledOnlyWhenTheJitStayedBelowTheShare() throws Exception {
    JitSettling never = new JitSettling(Duration.ofMillis(20), -1);
    JitSettling always = new JitSettling(Duration.ofMillis(20), Double.MAX_VALUE);
    Thread.sleep(30);
    assertFalse(never.getAsBoolean(), "no JIT time is below a negative share");
    assertTrue(always.getAsBoolean());
    assertTrue(always.lastShare() >= 0, "share " + always.lastShare());
  }
}
