package io.segstream.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import javax.imageio.ImageIO;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CameraBoardTest {

  private final AtomicLong clock = new AtomicLong(100_000);
  private final CameraBoard board = new CameraBoard(ViewEvents.decoder(), 5_000, clock::get);

  private CameraBoard.CameraView only(List<CameraBoard.CameraView> views) {
    assertEquals(1, views.size());
    return views.get(0);
  }

  @Test
  void theMaskIsDrawnOverItsFrame() throws Exception {
    board.frame(ViewEvents.frame("cam-a", 7));
    board.mask(ViewEvents.mask("cam-a", 7, Instant.ofEpochMilli(clock.get() - 40)));
    CameraBoard.CameraView view = only(board.snapshot(0, new HashMap<>()));
    assertEquals(7, view.overlaySeq());
    RgbImage overlay = Images.toRgb(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(view.overlayPng()))));
    // Left half is class 1 (red blended over grey), right half the grey frame untouched.
    int right = ViewEvents.SIZE - 1;
    assertEquals(List.of(128, 128, 128), List.of(overlay.channel(right, 0, 0), overlay.channel(right, 0, 1),
        overlay.channel(right, 0, 2)));
    assertTrue(overlay.channel(0, 0, 0) > 150 && overlay.channel(0, 0, 1) < 100, "class colour blended in");
    assertEquals(40, view.captureToMaskMs(), 1e-9);
    assertEquals(4, view.processingMs(), 1e-9);
    assertFalse(view.stale());
  }

  @Test
  void aCameraThatStopsSendingTurnsStale() {
    board.mask(ViewEvents.mask("cam-a", 1, Instant.ofEpochMilli(clock.get())));
    clock.addAndGet(4_999);
    assertFalse(only(board.snapshot(0, new HashMap<>())).stale());
    clock.addAndGet(2);
    CameraBoard.CameraView view = only(board.snapshot(0, new HashMap<>()));
    assertTrue(view.stale());
    assertEquals(0, view.masksPerSecond());
  }

  @Test
  void chartPointsAreSentOncePerPageAndOverlaysOnlyWhenNew() {
    Map<String, Long> sent = new HashMap<>();
    board.areas(ViewEvents.areas("cam-a", 1, 0.25));
    board.areas(ViewEvents.areas("cam-a", 2, 0.5));
    CameraBoard.CameraView first = only(board.snapshot(0, sent));
    assertEquals(2, first.newPoints().size());
    assertEquals(0.5, first.newPoints().get(1).fractions().get("circle"));
    assertEquals("#e6194b", first.colours().get("circle"));
    long seen = board.version();
    board.areas(ViewEvents.areas("cam-a", 3, 0.75));
    CameraBoard.CameraView second = only(board.snapshot(seen, sent));
    assertEquals(1, second.newPoints().size());
    assertEquals(3, second.chartPoints());
    assertNull(second.overlayPng(), "no overlay was made since");

    board.mask(ViewEvents.mask("cam-a", 3, Instant.ofEpochMilli(clock.get())));
    assertNotNull(only(board.snapshot(seen, sent)).overlayPng(), "mask alone, colourised, when its frame is gone");
  }

  @Test
  void overlaysAreRenderedAtMostFiveTimesASecondPerCamera() {
    board.mask(ViewEvents.mask("cam-a", 1, Instant.ofEpochMilli(clock.get())));
    clock.addAndGet(CameraBoard.OVERLAY_INTERVAL_MS - 1);
    board.mask(ViewEvents.mask("cam-a", 2, Instant.ofEpochMilli(clock.get())));
    assertEquals(1, only(board.snapshot(0, new HashMap<>())).overlaySeq());
    clock.addAndGet(1);
    board.mask(ViewEvents.mask("cam-a", 3, Instant.ofEpochMilli(clock.get())));
    assertEquals(3, only(board.snapshot(0, new HashMap<>())).overlaySeq());
  }
}
