package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import io.segstream.ops.LogBudget;
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
  /** A flood of bad frames must not flood the log: 20 lines per 10 s, the rest counted. */
  private static final LogBudget DEAD_LETTER_LOG = new LogBudget(20, 10_000);

  protected final FrameMetrics metrics;
  protected ProcessorContext<Object, Object> context;

  FrameStage(FrameMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
  }

  /**
   * Sends the original key and value to the dead-letter topic, with the failure in headers; {@code
   * source} says which input record it was (null when unknown).
   */
  protected void deadLetter(Record<?, ?> record, byte[] rawKey, byte[] rawValue, DeadLetters.Failure failure,
      DeadLetters.Source source) {
    Headers headers = DeadLetters.headers(record.headers(), failure, source);
    if (DEAD_LETTER_LOG.tryAcquire()) {
      long quiet = DEAD_LETTER_LOG.takeSuppressed();
      LOG.warn(
          "dead-lettering record {}: {} at stage {}: {}{}",
          source == null ? "?" : source.topic() + "-" + source.partition() + "@" + source.offset(),
          failure.code(),
          failure.stage(),
          failure.reason(),
          quiet == 0 ? "" : " (" + quiet + " more dead letters not logged; see " + FrameMetrics.FRAMES + ")");
    }
    context.forward(
        new Record<>(rawKey, rawValue, record.timestamp(), headers),
        SegmentationTopology.DEAD_LETTER_SINK);
    metrics.deadLettered();
  }

  /** The input record being processed now, for dead-letter headers; null outside {@code process}. */
  protected DeadLetters.Source currentSource() {
    return context
        .recordMetadata()
        .map(m -> new DeadLetters.Source(m.topic(), m.partition(), m.offset()))
        .orElse(null);
  }
}
