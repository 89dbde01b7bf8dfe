package io.segstream.image;

import io.segstream.image.FrameRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Checks that a PNG's chunks are all there and intact: each chunk fits in the data, its CRC matches,
 * and the image ends with IEND.
 *
 * <p>Hand-written because ImageIO's PNG reader does neither: it never verifies a chunk CRC, and it
 * stops after the last IDAT without looking for IEND, so a PNG with a damaged chunk or cut after its
 * image data decodes without an error or a warning. The walk reads only the 8-byte chunk headers and
 * runs {@link CRC32} over the bytes in place; it allocates nothing.
 */
final class PngChunks {

  private static final int SIGNATURE_BYTES = 8;
  private static final String END = "IEND";

  private PngChunks() {}

  /** Refuses the PNG as {@link Reason#CORRUPT_IMAGE} unless every chunk up to IEND is complete and intact. */
  static void verify(byte[] png) throws FrameRejectedException {
    CRC32 crc = new CRC32();
    int at = SIGNATURE_BYTES;
    while (true) {
      if (at + 8 > png.length) {
        throw corrupt("truncated: the data ends at byte " + png.length + " without an IEND chunk");
      }
      long length = readUnsignedInt(png, at);
      String type = new String(png, at + 4, 4, StandardCharsets.ISO_8859_1);
      long crcAt = at + 8 + length;
      if (crcAt + 4 > png.length) {
        throw corrupt("truncated: chunk " + type + " at byte " + at + " declares " + length
            + " data bytes, but the data ends at byte " + png.length);
      }
      crc.reset();
      crc.update(png, at + 4, 4 + (int) length);
      if (crc.getValue() != readUnsignedInt(png, (int) crcAt)) {
        throw corrupt("chunk " + type + " at byte " + at + " fails its CRC check");
      }
      if (type.equals(END)) {
        return; // bytes after IEND are not part of the image; decoders ignore them
      }
      at = (int) crcAt + 4;
    }
  }

  private static long readUnsignedInt(byte[] data, int at) {
    return ((data[at] & 0xffL) << 24) | ((data[at + 1] & 0xffL) << 16) | ((data[at + 2] & 0xffL) << 8)
        | (data[at + 3] & 0xffL);
  }

  private static FrameRejectedException corrupt(String detail) {
    return new FrameRejectedException(Reason.CORRUPT_IMAGE, "corrupt png: " + detail);
  }
}
