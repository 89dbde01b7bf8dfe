package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step of the frame pipeline. A step either forwards the frame to its next node or dead-letters
 * the original record; it never throws for bad input, so one bad frame cannot stop the processor.
 */
abstract class FrameStage<KIn, VIn> implements Processor<KIn, VIn, Object, Object> {

  private static final Logger LOG = LoggerFactory.getLogger(FrameStage.class);

  private final String stage;
  protected final FrameMetrics metrics;
  protected ProcessorContext<Object, Object> context;

  FrameStage(String stage, FrameMetrics metrics) {
    this.stage = stage;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
  }

  /** Sends the original key and value to the dead-letter topic, with the failure in headers. */
  protected void deadLetter(
      Record<?, ?> record, byte[] rawKey, byte[] rawValue, String code, String reason, Throwable cause) {
    DeadLetters.Source source =
        context
            .recordMetadata()
            .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
            .orElse(null);
    Headers headers =
        DeadLetters.headers(
            record.headers(), new DeadLetters.Failure(stage, code, reason, cause), source);
    LOG.warn(
        "dead-lettering record {}: {} at stage {}: {}",
        source == null ? "?" : source.topic() + "-" + source.partition() + "@" + source.offset(),
        code,
        stage,
        reason);
    context.forward(
        new Record<>(rawKey, rawValue, record.timestamp(), headers),
        SegmentationTopology.DEAD_LETTER_SINK);
    metrics.deadLettered();
  }

  protected void deadLetter(Record<?, InFlightFrame> record, String code, String reason, Throwable cause) {
    InFlightFrame frame = record.value();
    deadLetter(record, frame.rawKey(), frame.rawValue(), code, reason, cause);
  }
}
