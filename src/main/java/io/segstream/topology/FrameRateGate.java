package io.segstream.topology;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-camera frame-rate cap: admits a frame only if at least {@code 1/maxFps} seconds of capture time
 * have passed since the last admitted frame of the same stream, so a camera sending 60 fps to a 10 fps
 * pipeline costs 10 inferences a second, not 60.
 *
 * <p>Capture timestamps, not arrival times, decide: a backlog replayed after an outage is thinned the
 * same way as live traffic. State is per stream task and bounded (least recently seen cameras are
 * forgotten first); after a rebalance a camera's next frame is simply admitted.
 */
public final class FrameRateGate {

  private final long minIntervalMicros;
  private final Map<String, Long> lastAdmitted;

  /**
   * @param maxFps most frames per second admitted per stream; 0 or less admits every frame
   * @param maxStreams cameras remembered at once
   */
  public FrameRateGate(double maxFps, int maxStreams) {
    this.minIntervalMicros = maxFps > 0 ? Math.round(1_000_000.0 / maxFps) : 0;
    this.lastAdmitted =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > maxStreams;
          }
        };
  }

  /** Whether the frame captured at {@code captureMillis} on {@code streamId} should be processed. */
  public boolean admit(String streamId, long captureMillis) {
    if (minIntervalMicros == 0) {
      return true;
    }
    long captureMicros = captureMillis * 1000;
    Long last = lastAdmitted.get(streamId);
    // A timestamp going backwards (camera clock reset) restarts the stream's clock rather than
    // silencing it until the old time comes round again.
    if (last == null || captureMicros - last >= minIntervalMicros || captureMicros < last) {
      lastAdmitted.put(streamId, captureMicros);
      return true;
    }
    return false;
  }
}
