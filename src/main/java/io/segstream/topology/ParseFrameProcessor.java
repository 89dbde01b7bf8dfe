package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import io.segstream.contracts.ImageFrame;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Record;

/** Raw record bytes to an {@link ImageFrame}, keyed by its stream id. */
final class ParseFrameProcessor extends FrameStage<byte[], byte[]> {

  static final String STAGE = "parse";

  private final Deserializer<ImageFrame> frames;
  private final String next;

  ParseFrameProcessor(Deserializer<ImageFrame> frames, FrameMetrics metrics, String next) {
    super(STAGE, metrics);
    this.frames = frames;
    this.next = next;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    long start = System.nanoTime();
    if (record.value() == null || record.value().length == 0) {
      deadLetter(record, record.key(), record.value(), DeadLetters.BAD_RECORD,
          "record has no value", null);
      return;
    }
    String topic = context.recordMetadata().map(m -> m.topic()).orElse(null);
    ImageFrame frame;
    try {
      frame = frames.deserialize(topic, record.value());
    } catch (SerializationException e) {
      deadLetter(record, record.key(), record.value(), DeadLetters.BAD_RECORD,
          DeadLetters.describe(e), e);
      return;
    }
    if (frame.getStreamId().isEmpty()) {
      deadLetter(record, record.key(), record.value(), DeadLetters.BAD_RECORD,
          "frame has an empty streamId", null);
      return;
    }
    InFlightFrame inFlight = new InFlightFrame(record.key(), record.value(), start, frame, null);
    context.forward(record.withKey(frame.getStreamId()).withValue(inFlight), next);
  }
}
