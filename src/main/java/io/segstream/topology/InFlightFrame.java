package io.segstream.topology;

import io.segstream.contracts.ImageFrame;

/**
 * A frame travelling between the processors of one task. It keeps the record's original bytes so
 * that any stage can dead-letter it exactly as it arrived. A frame the parse stage rejected travels on
 * as well, carrying its failure, so that its dead letter keeps its place among the frame's results.
 *
 * @param rawKey the source record's key bytes
 * @param rawValue the source record's value bytes
 * @param startNanos {@link System#nanoTime()} when the frame entered the processor
 * @param frame the parsed frame; null when rejected
 * @param rejection why the frame goes to the dead-letter topic; null for a parsed frame
 */
record InFlightFrame(byte[] rawKey, byte[] rawValue, long startNanos, ImageFrame frame, DeadLetters.Failure rejection) {

  static InFlightFrame parsed(byte[] rawKey, byte[] rawValue, long startNanos, ImageFrame frame) {
    return new InFlightFrame(rawKey, rawValue, startNanos, frame, null);
  }

  static InFlightFrame rejected(byte[] rawKey, byte[] rawValue, long startNanos, DeadLetters.Failure rejection) {
    return new InFlightFrame(rawKey, rawValue, startNanos, null, rejection);
  }
}
