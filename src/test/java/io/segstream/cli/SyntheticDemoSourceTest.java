package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's synthetic cameras: live-paced by default, all at once as a burst. */
@Timeout(60)
class SyntheticDemoSourceTest {

  private static List<ImageFrame> sent(SyntheticDemoSource source) throws Exception {
    List<ImageFrame> frames = new ArrayList<>();
    assertEquals(source.expectedFrames(), source.send(frames::add));
    return frames;
  }

  private static Duration span(List<ImageFrame> frames) {
    return Duration.between(frames.get(0).getCaptureTimestamp(), frames.get(frames.size() - 1).getCaptureTimestamp());
  }

  @Test
  void camerasSendAtTheirFrameRateStaggered() throws Exception {
    // Two cameras at 5 fps: a frame every 100 ms in all, so 6 frames span at least 500 ms.
    List<ImageFrame> frames = sent(new SyntheticDemoSource(6, 2, 16, 16, ImageEncoding.PNG, 5));
    assertEquals(List.of("cam-0", "cam-1", "cam-0", "cam-1", "cam-0", "cam-1"),
        frames.stream().map(ImageFrame::getStreamId).toList());
    assertTrue(span(frames).toMillis() >= 500 - 1, "capture times span " + span(frames).toMillis() + " ms");
    // Each camera's own frames are 1 / 5 s apart.
    Duration cam0 = Duration.between(frames.get(0).getCaptureTimestamp(), frames.get(4).getCaptureTimestamp());
    assertTrue(cam0.toMillis() >= 400 - 1, "cam-0 frames 0 and 2 are " + cam0.toMillis() + " ms apart");
  }

  @Test
  void aBurstSendsEveryFrameAtOnce() throws Exception {
    List<ImageFrame> frames = sent(new SyntheticDemoSource(6, 2, 16, 16, ImageEncoding.PNG, 0));
    assertEquals(6, frames.size());
    // Encoding six 16x16 PNGs takes milliseconds; paced as above they would take half a second.
    assertTrue(span(frames).toMillis() < 500, "capture times span " + span(frames).toMillis() + " ms");
  }
}
