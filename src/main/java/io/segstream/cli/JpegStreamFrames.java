package io.segstream.cli;

import io.segstream.contracts.ImageEncoding;
import io.segstream.image.FrameEncoder;
import io.segstream.image.ImageProbe;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;

/**
 * One frame event per image of a JPEG stream, numbered in order: what {@code produce --stdin} does
 * with ffmpeg's pipe and {@code demo --video} with the ffmpeg it runs itself.
 */
final class JpegStreamFrames {

  /** The stream's images in order; null at its end. */
  @FunctionalInterface
  interface JpegSource {
    byte[] next() throws IOException;
  }

  private JpegStreamFrames() {}

  /** Sends every image of {@code source} as frames {@code firstSeq, firstSeq+1, ...}; how many were sent. */
  static long send(JpegSource source, String streamId, long firstSeq, String sourceName, FrameSink sink)
      throws IOException {
    long seq = firstSeq;
    for (byte[] jpeg = source.next(); jpeg != null; jpeg = source.next()) {
      ImageProbe probe = ImageProbe.probe(jpeg);
      sink.send(FrameEncoder.encoded(streamId, seq++, Instant.now(), ImageEncoding.JPEG, jpeg,
          probe.width(), probe.height(), Map.of("source", sourceName)));
    }
    return seq - firstSeq;
  }
}
