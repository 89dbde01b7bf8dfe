package io.segstream.image;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/** Encoded images with their header's width and height rewritten: decompression bombs' shape. */
public final class ImageHeaders {

  private ImageHeaders() {}

  /** The PNG with its IHDR width and height replaced (and the chunk CRC fixed so readers accept it). */
  public static byte[] withPngSize(byte[] png, int width, int height) {
    byte[] out = png.clone();
    ByteBuffer buffer = ByteBuffer.wrap(out);
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    buffer.putInt(16, width);
    buffer.putInt(20, height);
    CRC32 crc = new CRC32();
    crc.update(out, 12, 4 + 13);
    buffer.putInt(12 + 4 + 13, (int) crc.getValue());
    return out;
  }

  /** The JPEG with the width and height of its start-of-frame segment replaced (each at most 65535). */
  public static byte[] withJpegSize(byte[] jpeg, int width, int height) {
    byte[] out = jpeg.clone();
    int at = 2; // after SOI
    while (at + 4 < out.length && (out[at] & 0xff) == 0xff) {
      int marker = out[at + 1] & 0xff;
      int length = ((out[at + 2] & 0xff) << 8) | (out[at + 3] & 0xff);
      if (marker >= 0xc0 && marker <= 0xc3) {
        // FF Cn, length (2), precision (1), height (2), width (2).
        out[at + 5] = (byte) (height >> 8);
        out[at + 6] = (byte) height;
        out[at + 7] = (byte) (width >> 8);
        out[at + 8] = (byte) width;
        return out;
      }
      at += 2 + length;
    }
    throw new IllegalArgumentException("no start-of-frame segment in the JPEG");
  }
}
