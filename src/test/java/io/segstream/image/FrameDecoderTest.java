package io.segstream.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.image.FrameRejectedException.Reason;
import io.segstream.model.SyntheticScenes;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameDecoderTest {

  private static final RgbImage SCENE = new SyntheticScenes().generate(7, 48, 32).image();
  private final FrameDecoder decoder = new FrameDecoder(1 << 20, 64 * 64);

  @Test
  void decodesPngAndRawLosslessly() throws Exception {
    assertArrayEquals(SCENE.pixels(), decoder.decode(ImageEncoding.PNG, Images.png(SCENE), 48, 32).pixels());
    assertArrayEquals(SCENE.pixels(), decoder.decode(ImageEncoding.RAW_RGB8, SCENE.pixels(), 48, 32).pixels());
  }

  @Test
  void aRawFrameAsTheProcessorReadsItIsDecodedWithoutCopyingItsPixels() throws Exception {
    ImageFrame sent = FrameEncoder.encoded("cam-1", 1, Instant.EPOCH, ImageEncoding.RAW_RGB8, SCENE.pixels(), 48, 32, Map.of());
    ImageFrame frame = ImageFrame.fromByteBuffer(sent.toByteBuffer());
    decoder.decode(frame);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    RgbImage image = decoder.decode(frame);
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertArrayEquals(SCENE.pixels(), image.pixels());
    // A copy of the pixels alone would be 4,608 bytes.
    assertTrue(allocated < SCENE.pixels().length / 2, allocated + " bytes allocated to decode a 4,608-byte frame");
  }

  @Test
  void rawBytesOfTheCallerOrOfAPartOfABufferAreCopied() throws Exception {
    byte[] pixels = SCENE.pixels().clone();
    RgbImage fromArray = decoder.decode(ImageEncoding.RAW_RGB8, pixels, 48, 32);
    Arrays.fill(pixels, (byte) 0);
    assertArrayEquals(SCENE.pixels(), fromArray.pixels());

    byte[] padded = new byte[pixels.length + 10];
    System.arraycopy(SCENE.pixels(), 0, padded, 5, pixels.length);
    ImageFrame frame = FrameEncoder.encoded("cam-1", 1, Instant.EPOCH, ImageEncoding.RAW_RGB8, SCENE.pixels(), 48, 32, Map.of());
    frame.setImage(ByteBuffer.wrap(padded, 5, pixels.length).slice());
    assertArrayEquals(SCENE.pixels(), decoder.decode(frame).pixels());
  }

  @Test
  void decodesJpegCloseToTheOriginal() throws Exception {
    RgbImage decoded = decoder.decode(ImageEncoding.JPEG, Images.jpeg(SCENE, 0.95f), 48, 32);
    assertEquals(48, decoded.width());
    assertEquals(32, decoded.height());
    double error = 0;
    for (int i = 0; i < SCENE.pixels().length; i++) {
      error += Math.abs((SCENE.pixels()[i] & 0xff) - (decoded.pixels()[i] & 0xff));
    }
    double meanError = error / SCENE.pixels().length;
    assertTrue(meanError < 8, "mean absolute JPEG error " + meanError);
  }

  @Test
  void jpegPixelsAreExactlyImageIosInRgbOrder() throws Exception {
    // Colour JPEGs are decoded straight into RGB; the pixels must be ImageIO's own, not just close.
    byte[] colour = Images.jpeg(new SyntheticScenes().generate(3, 64, 48).image(), 0.9f);
    assertArrayEquals(Images.toRgb(ImageIO.read(new ByteArrayInputStream(colour))).pixels(),
        decoder.decode(ImageEncoding.JPEG, colour, 64, 48).pixels());
    java.awt.image.BufferedImage grey = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (int x = 0; x < 40; x++) {
      grey.getRaster().setSample(x, x % 30, 0, 200);
    }
    java.io.ByteArrayOutputStream greyJpeg = new java.io.ByteArrayOutputStream();
    ImageIO.write(grey, "jpeg", greyJpeg);
    byte[] greyBytes = greyJpeg.toByteArray();
    assertArrayEquals(Images.toRgb(ImageIO.read(new ByteArrayInputStream(greyBytes))).pixels(),
        decoder.decode(ImageEncoding.JPEG, greyBytes, 40, 30).pixels());
  }

  @Test
  void decodesWithoutAWritableTemporaryFolder(@TempDir Path dir) throws Exception {
    // A container with a read-only file system: ImageIO's file cache (on by default) has nowhere to go.
    byte[] jpeg = Images.jpeg(SCENE, 0.95f);
    byte[] png = Images.png(SCENE);
    File gone = Files.createDirectory(dir.resolve("cache")).toFile();
    File cacheBefore = ImageIO.getCacheDirectory();
    boolean useCacheBefore = ImageIO.getUseCache();
    try {
      ImageIO.setUseCache(true);
      ImageIO.setCacheDirectory(gone);
      Files.delete(gone.toPath());
      assertEquals(48, decoder.decode(ImageEncoding.JPEG, jpeg, 48, 32).width());
      assertArrayEquals(SCENE.pixels(), decoder.decode(ImageEncoding.PNG, png, 48, 32).pixels());
    } finally {
      ImageIO.setCacheDirectory(cacheBefore);
      ImageIO.setUseCache(useCacheBefore);
    }
  }

  @Test
  void rejectsEmptyImage() {
    assertReason(Reason.EMPTY_IMAGE, () -> decoder.decode(ImageEncoding.PNG, new byte[0], 48, 32));
  }

  @Test
  void rejectsFramesAboveTheByteLimit() {
    FrameDecoder small = new FrameDecoder(100, 64 * 64);
    FrameRejectedException e =
        assertReason(Reason.FRAME_TOO_LARGE, () -> small.decode(ImageEncoding.PNG, Images.png(SCENE), 48, 32));
    assertTrue(e.getMessage().contains("max.frame.bytes=100"), e.getMessage());
  }

  @Test
  void checksPixelLimitFromTheHeaderBeforeReadingPixels() throws Exception {
    // A PNG header claiming 50000x50000 in front of a tiny image's data: a decompression bomb's shape.
    byte[] bomb = ImageHeaders.withPngSize(Images.png(SCENE), 50_000, 50_000);
    FrameRejectedException e =
        assertReason(Reason.TOO_MANY_PIXELS, () -> decoder.decode(ImageEncoding.PNG, bomb, 50_000, 50_000));
    assertTrue(e.getMessage().contains("50000x50000"), e.getMessage());
  }

  @Test
  void aTinyImageClaimingAnEnormousSizeIsRefusedWithoutAPixelBuffer() {
    byte[] png = ImageHeaders.withPngSize(Images.png(SCENE), 60_000, 60_000);
    byte[] jpeg = ImageHeaders.withJpegSize(Images.jpeg(SCENE, 0.9f), 60_000, 60_000);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    for (ImageEncoding encoding : new ImageEncoding[] {ImageEncoding.PNG, ImageEncoding.JPEG}) {
      byte[] data = encoding == ImageEncoding.PNG ? png : jpeg;
      long before = threads.getCurrentThreadAllocatedBytes();
      FrameRejectedException e =
          assertReason(Reason.TOO_MANY_PIXELS, () -> decoder.decode(encoding, data, 60_000, 60_000));
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertTrue(e.getMessage().contains("60000x60000"), e.getMessage());
      // The pixels would take 10.8 GB; reading the header takes a few kilobytes.
      assertTrue(allocated < 4 * 1024 * 1024, encoding + " decoding allocated " + allocated + " bytes");
    }
  }

  @Test
  void rejectsRawFramesAboveThePixelLimitByTheirDeclaredSize() {
    assertReason(Reason.TOO_MANY_PIXELS,
        () -> decoder.decode(ImageEncoding.RAW_RGB8, new byte[100 * 100 * 3], 100, 100));
  }

  @Test
  void rejectsDeclaredSizeThatDiffersFromTheImage() {
    FrameRejectedException e =
        assertReason(Reason.SIZE_MISMATCH, () -> decoder.decode(ImageEncoding.PNG, Images.png(SCENE), 32, 48));
    assertTrue(e.getMessage().contains("declares 32x48") && e.getMessage().contains("48x32"), e.getMessage());
    assertReason(Reason.SIZE_MISMATCH,
        () -> decoder.decode(ImageEncoding.RAW_RGB8, SCENE.pixels(), 47, 32));
    assertReason(Reason.SIZE_MISMATCH, () -> decoder.decode(ImageEncoding.PNG, Images.png(SCENE), 0, 32));
  }

  @Test
  void rejectsUnknownEncoding() {
    assertReason(Reason.UNSUPPORTED_ENCODING,
        () -> decoder.decode(ImageEncoding.UNKNOWN, SCENE.pixels(), 48, 32));
  }

  @Test
  void rejectsBytesThatAreNotTheDeclaredFormat() {
    byte[] garbage = new byte[500];
    Arrays.fill(garbage, (byte) 7);
    assertReason(Reason.UNDECODABLE_IMAGE, () -> decoder.decode(ImageEncoding.JPEG, garbage, 48, 32));
    assertReason(Reason.UNDECODABLE_IMAGE, () -> decoder.decode(ImageEncoding.JPEG, Images.png(SCENE), 48, 32));
  }

  @Test
  void rejectsImagesCutShortAsCorrupt() {
    // DamagedImagesTest covers real photos cut and damaged in many ways.
    byte[] png = Images.png(SCENE);
    byte[] jpeg = Images.jpeg(SCENE, 0.9f);
    assertReason(Reason.CORRUPT_IMAGE,
        () -> decoder.decode(ImageEncoding.PNG, Arrays.copyOf(png, png.length / 2), 48, 32));
    assertReason(Reason.CORRUPT_IMAGE,
        () -> decoder.decode(ImageEncoding.JPEG, Arrays.copyOf(jpeg, jpeg.length / 2), 48, 32));
  }

  private interface Decode {
    RgbImage run() throws FrameRejectedException;
  }

  private static FrameRejectedException assertReason(Reason expected, Decode decode) {
    FrameRejectedException e = assertThrows(FrameRejectedException.class, decode::run);
    assertEquals(expected, e.reason(), e.getMessage());
    return e;
  }
}
