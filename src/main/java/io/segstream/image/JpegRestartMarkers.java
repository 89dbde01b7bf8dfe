package io.segstream.image;

import io.segstream.image.FrameRejectedException.Reason;

/**
 * Checks the restart markers (RST0-RST7) in a JPEG's scan data: they may appear only where the
 * header sets a restart interval, and then in sequence. A stray or out-of-order one is damage that
 * libjpeg-turbo, as TensorFlow's {@code DecodeJpeg} runs it, only warns about before it resynchronises
 * and decodes the rest with gaps; TensorFlow does not pass the warning on, so nothing else would
 * notice. (The JDK's decoder reports the warning, which {@link FrameDecoder} turns into a refusal.)
 * Every other kind of damage the decoders refuse themselves. Hand-written because no library exposes
 * the markers of the entropy-coded data.
 */
final class JpegRestartMarkers {

  private static final int SOI = 0xD8;
  private static final int EOI = 0xD9;
  private static final int SOS = 0xDA;
  private static final int DRI = 0xDD;
  private static final int RST0 = 0xD0;
  private static final int RST7 = 0xD7;

  private JpegRestartMarkers() {}

  /** Refuses {@code jpeg} if a restart marker is out of place; says nothing of other damage. */
  static void check(byte[] jpeg) throws FrameRejectedException {
    int at = 2; // after SOI
    boolean restartInterval = false;
    while (at + 3 < jpeg.length) {
      if ((jpeg[at] & 0xff) != 0xFF) {
        return; // not a marker where one belongs: the decoder refuses that itself
      }
      int marker = jpeg[at + 1] & 0xff;
      if (marker == 0xFF) {
        at++; // fill byte
        continue;
      }
      if (marker == EOI || marker == SOI) {
        return;
      }
      int length = ((jpeg[at + 2] & 0xff) << 8) | (jpeg[at + 3] & 0xff);
      if (marker == DRI && at + 5 < jpeg.length) {
        restartInterval = (((jpeg[at + 4] & 0xff) << 8) | (jpeg[at + 5] & 0xff)) != 0;
      }
      at += 2 + length;
      if (marker == SOS) {
        at = checkScan(jpeg, at, restartInterval);
      }
    }
  }

  /** Walks one scan's entropy-coded data from {@code at}; returns where the next marker starts. */
  private static int checkScan(byte[] jpeg, int at, boolean restartInterval) throws FrameRejectedException {
    int expected = 0;
    while (at + 1 < jpeg.length) {
      if ((jpeg[at] & 0xff) != 0xFF) {
        at++;
        continue;
      }
      int next = jpeg[at + 1] & 0xff;
      if (next == 0x00 || next == 0xFF) {
        at += next == 0x00 ? 2 : 1; // a stuffed 0xFF data byte, or a fill byte before a marker
      } else if (next >= RST0 && next <= RST7) {
        if (!restartInterval) {
          throw corrupt("restart marker RST" + (next - RST0) + " in an image without a restart interval");
        }
        if (next - RST0 != expected) {
          throw corrupt("restart marker RST" + (next - RST0) + " where RST" + expected + " belongs");
        }
        expected = (expected + 1) & 7;
        at += 2;
      } else {
        return at; // the scan ends at any other marker
      }
    }
    return at;
  }

  private static FrameRejectedException corrupt(String what) {
    return new FrameRejectedException(Reason.CORRUPT_IMAGE, "corrupt jpeg image data: " + what);
  }
}
