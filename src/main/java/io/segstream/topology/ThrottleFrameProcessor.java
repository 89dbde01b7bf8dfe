package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Skips frames above the per-camera rate cap ({@code max.fps.per.stream}) before they cost a decode
 * and a model call. Skipping is the configured intent, not a failure: skipped frames are counted,
 * not dead-lettered. A rejected record passes through to keep its place in order.
 */
final class ThrottleFrameProcessor extends FrameStage<String, InFlightFrame> {

  /** Cameras remembered per stream task. */
  static final int MAX_TRACKED_STREAMS = 10_000;

  private final FrameRateGate gate;
  private final String next;

  ThrottleFrameProcessor(double maxFps, FrameMetrics metrics, String next) {
    super(metrics);
    this.gate = new FrameRateGate(maxFps, MAX_TRACKED_STREAMS);
    this.next = next;
  }

  @Override
  public void process(Record<String, InFlightFrame> record) {
    var frame = record.value().frame();
    if (frame == null || gate.admit(frame.getStreamId(), frame.getCaptureTimestamp().toEpochMilli())) {
      context.forward(record, next);
    } else {
      metrics.skipped();
    }
  }
}
