package io.segstream.ops;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * The console progress bar of every long command (demo, stream bench, training): done of total, rate,
 * elapsed and remaining time, and a note (e.g. the loss). On a terminal it redraws in place with
 * carriage returns a few times per second; otherwise (a log file) it prints a plain line every ten
 * seconds, so logs stay readable.
 *
 * <p>Not DJL's {@code ai.djl.training.util.ProgressBar}: that one always writes to standard output
 * with carriage returns, where the commands print their results, and has no log mode.
 */
public final class ProgressBar {

  private static final int BAR_WIDTH = 24;
  private static final long REDRAW_NANOS = 250_000_000L;
  private static final long LOG_LINE_NANOS = 10_000_000_000L;

  private final PrintStream out;
  private final boolean interactive;
  private final String unit;
  private final long startNanos = System.nanoTime();
  private long total;
  private long doneBefore;
  private long lastDraw;
  private boolean drawNext = true;
  private long lastDrawnDone = -1;
  private int lastLength;

  /**
   * @param interactive redraw in place (a terminal) rather than print lines (a log)
   * @param unit what is counted, plural ("frames", "steps")
   * @param total how many there will be (0 or less: not known yet)
   */
  public ProgressBar(PrintStream out, boolean interactive, String unit, long total) {
    this.out = out;
    this.interactive = interactive;
    this.unit = unit;
    this.total = total;
  }

  /** Interactive when the JVM runs on a terminal. */
  public static ProgressBar onConsole(PrintStream out, String unit, long total) {
    return new ProgressBar(out, System.console() != null, unit, total);
  }

  /** Work done before this bar was made (a resumed training), left out of the rate. */
  public void doneBefore(long done) {
    this.doneBefore = done;
  }

  /** Corrects the total once it is known (a video's frame count shows only at its end). */
  public void total(long total) {
    this.total = total;
  }

  public void update(long done) {
    update(done, "");
  }

  /** Draws if it is time to (always when {@code done} reaches the total); {@code note} ends the line. */
  public void update(long done, String note) {
    long now = System.nanoTime();
    boolean last = total > 0 && done >= total;
    boolean due = drawNext || now - lastDraw >= (interactive ? REDRAW_NANOS : LOG_LINE_NANOS);
    if (last ? done == lastDrawnDone : !due) {
      return;
    }
    drawNext = false;
    lastDraw = now;
    lastDrawnDone = done;
    double seconds = (now - startNanos) / 1e9;
    double rate = (done - doneBefore) / Math.max(seconds, 1e-9);
    int filled = total <= 0 ? 0 : (int) Math.min(BAR_WIDTH, BAR_WIDTH * done / total);
    String eta = total <= 0 ? "?" : format(Math.round(Math.max(0, total - done) / Math.max(rate, 1e-9)));
    String line = String.format(Locale.ROOT, "[%s%s] %d/%d %s  %.1f %s/s  elapsed %s  ETA %s%s",
        "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), done, total, unit, rate, unit,
        format(Math.round(seconds)), eta, note.isEmpty() ? "" : "  " + note);
    if (interactive) {
      out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
      lastLength = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Prints a line of its own between draws (clearing the bar on a terminal); the bar comes back. */
  public void message(String text) {
    if (interactive && lastLength > 0) {
      out.print("\r" + " ".repeat(lastLength) + "\r");
      lastLength = 0;
      drawNext = true;
    }
    out.println(text);
    out.flush();
  }

  public void finish(long done) {
    finish(done, "");
  }

  /** Draws {@code done} unless that was the last thing drawn, and ends the bar's line. */
  public void finish(long done, String note) {
    if (done != lastDrawnDone) {
      drawNext = true;
      update(done, note);
    }
    if (interactive && lastLength > 0) {
      out.println();
      lastLength = 0;
    }
    out.flush();
  }

  private static String format(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}
