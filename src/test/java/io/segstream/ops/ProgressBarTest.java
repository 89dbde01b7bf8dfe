package io.segstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

  @Test
  void aTotalLearnedLateIsShownAndTheLastValueIsDrawnOnce() {
    ProgressBar bar = new ProgressBar(out, false, "frames", 0);
    bar.update(0);
    bar.update(5); // not due yet in log mode
    bar.total(8);
    bar.update(8);
    bar.update(8);
    bar.finish(8);
    String[] lines = buffer.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(2, lines.length, String.join("\n", lines));
    assertTrue(lines[0].startsWith("[........................] 0/0 frames") && lines[0].contains("ETA ?"), lines[0]);
    assertTrue(lines[1].startsWith("[########################] 8/8 frames") && lines[1].contains("ETA 0:00:00"),
        lines[1]);
  }

  @Test
  void aMessageClearsTheBarOnATerminalAndFinishEndsItsLine() {
    ProgressBar bar = new ProgressBar(out, true, "frames", 10);
    bar.update(3);
    bar.message("dead letter: EMPTY_IMAGE");
    bar.update(4); // drawn again right away after a message
    bar.finish(4);
    String text = buffer.toString(StandardCharsets.UTF_8);
    String cleared = "\r" + " ".repeat(text.indexOf("\r", 1) - 1) + "\r";
    assertTrue(text.startsWith("\r[#######.................] 3/10 frames"), text);
    assertTrue(text.contains(cleared + "dead letter: EMPTY_IMAGE\n\r[#########...............] 4/10 frames"), text);
    assertTrue(text.endsWith("\n") && text.chars().filter(c -> c == '\n').count() == 2, text);
  }
}
