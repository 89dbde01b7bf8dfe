package io.segstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TrainingProgressTest {

  @Test
  void logModePrintsTheFirstAndLastStepWithLossAndEta() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    TrainingProgress bar = new TrainingProgress(new PrintStream(buffer, true, StandardCharsets.UTF_8), false);
    for (int step = 1; step <= 50; step++) {
      bar.onStep(step, 50, 1.0f);
    }
    bar.onCheckpoint(50);
    String[] lines = buffer.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(3, lines.length, String.join("\n", lines));
    assertTrue(lines[0].contains("1/50 steps") && lines[0].contains("loss 1.0000") && lines[0].contains("ETA"), lines[0]);
    assertTrue(lines[1].startsWith("[########################] 50/50 steps"), lines[1]);
    assertEquals("checkpoint saved at step 50", lines[2]);
  }

  @Test
  void terminalModeRedrawsInPlaceAndEndsWithANewline() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    TrainingProgress bar = new TrainingProgress(new PrintStream(buffer, true, StandardCharsets.UTF_8), true);
    bar.onStep(1, 2, 0.5f);
    bar.onStep(2, 2, 0.5f);
    String out = buffer.toString(StandardCharsets.UTF_8);
    assertTrue(out.startsWith("\r[") && out.endsWith("\n"), out);
    assertEquals(1, out.chars().filter(c -> c == '\n').count());
  }
}
