package io.segstream.image;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;

/**
 * Splits a stream of concatenated JPEG images (what {@code ffmpeg -f image2pipe -c:v mjpeg -} writes)
 * into single images.
 *
 * <p>It follows the JPEG marker structure rather than searching for the end-of-image bytes, so an
 * EXIF thumbnail (a JPEG inside a JPEG) does not cut an image short.
 */
public final class JpegStreamReader implements AutoCloseable {

  private static final int SOI = 0xD8;
  private static final int EOI = 0xD9;
  private static final int SOS = 0xDA;

  private final PushbackInputStream in;
  private final int maxImageBytes;
  private ByteArrayOutputStream image;

  public JpegStreamReader(InputStream in, int maxImageBytes) {
    this.in = new PushbackInputStream(new BufferedInputStream(in, 1 << 16), 2);
    this.maxImageBytes = maxImageBytes;
  }

  /**
   * The next image's bytes, or null at the end of the stream.
   *
   * @throws IOException for a damaged image; after an image cut short by the next one's start, the
   *     following call returns that next image
   */
  public byte[] next() throws IOException {
    if (!skipToStartOfImage()) {
      return null;
    }
    image = new ByteArrayOutputStream(64 * 1024);
    write(0xFF);
    write(SOI);
    while (true) {
      int marker = copyMarker();
      if (marker == EOI) {
        return image.toByteArray();
      }
      if (marker == SOI) {
        // An image cut short: the next one starts before its EOI. Leave the SOI in the stream so that
        // a caller that carries on gets the next image whole.
        in.unread(SOI);
        in.unread(0xFF);
        throw new IOException(
            "corrupt JPEG stream: an image ends without its end-of-image marker after "
                + (image.size() - 2) + " bytes, where the next image starts");
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue; // markers without a payload
      }
      int high = copyByte();
      int low = copyByte();
      int length = (high << 8) | low;
      if (length < 2) {
        throw new IOException("corrupt JPEG: segment length " + length);
      }
      for (int i = 0; i < length - 2; i++) {
        copyByte();
      }
      if (marker == SOS) {
        copyEntropyCodedData();
      }
    }
  }

  /** Skips anything before the next FF D8; false at a clean end of stream. */
  private boolean skipToStartOfImage() throws IOException {
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (previous >= 0) {
          throw new EOFException("stream ended inside data that is not a JPEG image");
        }
        return false;
      }
      if (previous == 0xFF && b == SOI) {
        return true;
      }
      previous = b;
    }
  }

  /** Copies a marker (FF, optional fill FFs, marker byte); returns the marker byte. */
  private int copyMarker() throws IOException {
    int b = readByte();
    if (b != 0xFF) {
      throw new IOException(String.format("corrupt JPEG: expected a marker, found 0x%02X", b));
    }
    int marker;
    do {
      marker = readByte();
    } while (marker == 0xFF);
    write(0xFF);
    write(marker);
    return marker;
  }

  /** Copies scan data up to the next real marker, which is left in the stream. */
  private void copyEntropyCodedData() throws IOException {
    while (true) {
      int b = readByte();
      if (b != 0xFF) {
        write(b);
        continue;
      }
      int next = readByte();
      while (next == 0xFF) {
        next = readByte();
      }
      if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
        write(0xFF); // a stuffed zero or a restart marker: still scan data
        write(next);
        continue;
      }
      in.unread(next);
      in.unread(0xFF);
      return;
    }
  }

  private int copyByte() throws IOException {
    int b = readByte();
    write(b);
    return b;
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("stream ended inside a JPEG image");
    }
    return b;
  }

  private void write(int b) throws IOException {
    if (image.size() >= maxImageBytes) {
      throw new IOException("JPEG image in the stream exceeds " + maxImageBytes + " bytes");
    }
    image.write(b);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
