package io.segstream.topology;

import io.segstream.contracts.ImageFrame;
import io.segstream.image.RgbImage;

/**
 * A frame travelling between the processors of one task. It keeps the record's original bytes so
 * that any stage can dead-letter it exactly as it arrived.
 *
 * @param rawKey the source record's key bytes
 * @param rawValue the source record's value bytes
 * @param startNanos {@link System#nanoTime()} when the frame entered the processor
 * @param frame the parsed frame
 * @param image the decoded image; null until the decode stage ran
 */
record InFlightFrame(byte[] rawKey, byte[] rawValue, long startNanos, ImageFrame frame, RgbImage image) {

  InFlightFrame withImage(RgbImage decoded) {
    return new InFlightFrame(rawKey, rawValue, startNanos, frame, decoded);
  }
}
