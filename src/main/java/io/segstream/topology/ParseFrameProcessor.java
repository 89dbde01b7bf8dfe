package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import io.segstream.contracts.ImageFrame;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Raw record bytes to an {@link ImageFrame}, keyed by its stream id. A record that is not a frame
 * goes on as a rejected {@link InFlightFrame}: the segment stage dead-letters it in its turn, so it
 * keeps its place in order among frames still being segmented.
 */
final class ParseFrameProcessor extends FrameStage<byte[], byte[]> {

  static final String STAGE = "parse";

  private final Deserializer<ImageFrame> frames;
  private final String next;

  ParseFrameProcessor(Deserializer<ImageFrame> frames, FrameMetrics metrics, String next) {
    super(metrics);
    this.frames = frames;
    this.next = next;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    long start = System.nanoTime();
    if (record.value() == null || record.value().length == 0) {
      reject(record, start, "record has no value", null);
      return;
    }
    String topic = context.recordMetadata().map(m -> m.topic()).orElse(null);
    ImageFrame frame;
    try {
      frame = frames.deserialize(topic, record.value());
    } catch (SerializationException e) {
      reject(record, start, DeadLetters.describe(e), e);
      return;
    }
    if (frame.getStreamId().isEmpty()) {
      reject(record, start, "frame has an empty streamId", null);
      return;
    }
    InFlightFrame inFlight = InFlightFrame.parsed(record.key(), record.value(), start, frame);
    context.forward(record.withKey(frame.getStreamId()).withValue(inFlight), next);
  }

  private void reject(Record<byte[], byte[]> record, long start, String reason, Throwable cause) {
    DeadLetters.Failure failure = new DeadLetters.Failure(STAGE, DeadLetters.BAD_RECORD, reason, cause);
    context.forward(
        record.withKey((String) null).withValue(InFlightFrame.rejected(record.key(), record.value(), start, failure)),
        next);
  }
}
