package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import io.segstream.contracts.ImageFrame;
import io.segstream.image.FrameDecoder;
import io.segstream.image.FrameRejectedException;
import io.segstream.image.RgbImage;
import org.apache.kafka.streams.processor.api.Record;

/** The frame's encoded image to pixels, within the configured size limits. */
final class DecodeFrameProcessor extends FrameStage<String, InFlightFrame> {

  static final String STAGE = "decode";

  private final FrameDecoder decoder;
  private final String next;

  DecodeFrameProcessor(FrameDecoder decoder, FrameMetrics metrics, String next) {
    super(STAGE, metrics);
    this.decoder = decoder;
    this.next = next;
  }

  @Override
  public void process(Record<String, InFlightFrame> record) {
    ImageFrame frame = record.value().frame();
    RgbImage image;
    try {
      image = decoder.decode(frame);
    } catch (FrameRejectedException e) {
      deadLetter(record, e.reason().name(), e.getMessage(), e);
      return;
    }
    context.forward(record.withValue(record.value().withImage(image)), next);
  }
}
