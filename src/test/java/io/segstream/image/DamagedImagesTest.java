package io.segstream.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ImageEncoding;
import io.segstream.image.FrameRejectedException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real photos (opencv-doc's messi5.jpg and basketball1.png, see {@link TestPhotos}) cut short or
 * damaged must be refused as {@link Reason#CORRUPT_IMAGE}, never decoded with grey where data is
 * missing; the intact photos must still decode.
 *
 * <p>What is detectable: a JPEG cut anywhere (the decoder runs out of data before EOI and warns); a
 * byte in a JPEG's scan data turned into a marker (0xFF may only be followed by a stuffed 0x00 or a
 * restart marker there, so the decoder stops at a marker that does not belong); any change to a PNG
 * chunk (each carries a CRC) and a PNG whose compressed data ends early (zlib runs out). What is not:
 * a flipped bit in a JPEG's Huffman-coded data mostly decodes to other, valid coefficients, as JPEG
 * carries no checksum; of 40 random single-bit flips in messi5.jpg the decoder noticed 14, so no test
 * asserts on them.
 */
class DamagedImagesTest {

  private static final String MESSI = "messi5.jpg";
  private static final String BASKETBALL = "basketball1.png";
  private static final int SOF2 = 0xC2;
  private static final int SOS = 0xDA;

  private static final int DRI = 0xDD;
  private static final int RST0 = 0xD0;

  private final FrameDecoder decoder = new FrameDecoder(8 << 20, 4096L * 4096L);

  @ParameterizedTest
  @ValueSource(strings = {MESSI, "HappyFish.jpg", "baboon.jpg", "fruits.jpg", "starry_night.jpg",
      "building.jpg", BASKETBALL, "basketball2.png", "smarties.png"})
  void intactPhotosStillDecode(String name) throws Exception {
    byte[] photo = TestPhotos.read(name);
    ImageProbe probe = ImageProbe.probe(photo);
    RgbImage image = decoder.decode(probe.encoding(), photo, probe.width(), probe.height());
    assertEquals(probe.width() * probe.height() * 3, image.pixels().length);
  }

  /** The JPEG decoder warns that it ran out of data; the PNG chunk check finds a chunk cut short. */
  @ParameterizedTest(name = "{0} cut to {1}")
  @CsvSource({
    "messi5.jpg, 0.1, Truncated File - Missing EOI marker",
    "messi5.jpg, 0.5, Truncated File - Missing EOI marker",
    "messi5.jpg, 0.9, Truncated File - Missing EOI marker",
    "messi5.jpg, 0.99, Truncated File - Missing EOI marker",
    "basketball1.png, 0.1, truncated: chunk IDAT",
    "basketball1.png, 0.5, truncated: chunk IDAT",
    "basketball1.png, 0.9, truncated: chunk IDAT",
    "basketball1.png, 0.99, truncated: chunk IDAT",
  })
  void aPhotoCutShortIsRefused(String name, double kept, String expected) throws Exception {
    byte[] photo = TestPhotos.read(name);
    byte[] cut = Arrays.copyOf(photo, (int) (photo.length * kept));
    FrameRejectedException e = assertCorrupt(ImageProbe.probe(photo).encoding(), cut, photo);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** Cut inside the header: it starts as the format, so it is damaged, not some other format. */
  @ParameterizedTest
  @ValueSource(ints = {4, 20, 300, 600})
  void aJpegCutInsideItsHeaderIsRefusedAsCorrupt(int kept) throws Exception {
    byte[] messi = TestPhotos.read(MESSI);
    assertTrue(kept < scanDataStart(messi));
    assertCorrupt(ImageEncoding.JPEG, Arrays.copyOf(messi, kept), messi);
  }

  @ParameterizedTest
  @ValueSource(ints = {8, 20, 33})
  void aPngCutInsideItsHeaderIsRefusedAsCorrupt(int kept) throws Exception {
    byte[] basketball = TestPhotos.read(BASKETBALL);
    assertCorrupt(ImageEncoding.PNG, Arrays.copyOf(basketball, kept), basketball);
  }

  @Test
  void dataTooShortToCarryTheSignatureIsNoImageOfTheFormat() throws Exception {
    byte[] basketball = TestPhotos.read(BASKETBALL);
    FrameRejectedException e = assertThrows(FrameRejectedException.class,
        () -> decoder.decode(ImageEncoding.PNG, Arrays.copyOf(basketball, 5), 640, 480));
    assertEquals(Reason.UNDECODABLE_IMAGE, e.reason(), e.getMessage());
  }

  @Test
  void aJpegMissingOnlyItsEndOfImageMarkerIsRefused() throws Exception {
    byte[] messi = TestPhotos.read(MESSI);
    assertEquals(List.of(0xFF, 0xD9), List.of(messi[messi.length - 2] & 0xff, messi[messi.length - 1] & 0xff));
    // Every coded pixel is there; only the EOI marker (or its second byte) is missing.
    assertCorrupt(ImageEncoding.JPEG, Arrays.copyOf(messi, messi.length - 2), messi);
    assertCorrupt(ImageEncoding.JPEG, Arrays.copyOf(messi, messi.length - 1), messi);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.1, 0.3, 0.5, 0.9, 0.99, 1.0})
  void aProgressiveJpegCutShortIsRefused(double kept) throws Exception {
    byte[] progressive = progressive(TestPhotos.read(MESSI));
    assertTrue(hasMarker(progressive, SOF2), "the re-encoded photo is progressive (SOF2)");
    // A cut progressive JPEG decodes as a blurry but whole picture (later scans refine it), which
    // makes it look plausible; 1.0 cuts only the EOI marker.
    int length = kept == 1.0 ? progressive.length - 2 : (int) (progressive.length * kept);
    byte[] damaged = Arrays.copyOf(progressive, length);
    assertCorrupt(ImageEncoding.JPEG, damaged, progressive);
  }

  @Test
  void theProgressiveJpegIntactDecodes() throws Exception {
    byte[] progressive = progressive(TestPhotos.read(MESSI));
    ImageProbe probe = ImageProbe.probe(progressive);
    decoder.decode(ImageEncoding.JPEG, progressive, probe.width(), probe.height());
  }

  /**
   * 0x4D is no JPEG marker; RST0 is one, but messi5.jpg has no restart interval; a second SOI starts
   * another image inside this one.
   */
  @ParameterizedTest
  @ValueSource(ints = {0x4D, 0xD0, 0xD8})
  void aMarkerThatDoesNotBelongInTheScanDataIsRefused(int marker) throws Exception {
    byte[] messi = TestPhotos.read(MESSI);
    int scan = scanDataStart(messi);
    for (double where : new double[] {0.25, 0.5, 0.75}) {
      byte[] damaged = messi.clone();
      int at = scan + (int) ((messi.length - 2 - scan) * where);
      damaged[at] = (byte) 0xFF;
      damaged[at + 1] = (byte) marker;
      assertCorrupt(ImageEncoding.JPEG, damaged, messi);
    }
  }

  /**
   * A JPEG with a restart interval (RST0-RST7 every 4 MCU rows' worth of blocks, as MJPEG cameras
   * often write) decodes; with one restart marker out of sequence, or with the restart interval
   * removed from its header, it is refused.
   */
  @Test
  void aRestartMarkerOutOfSequenceIsRefused() throws Exception {
    byte[] restarts = withRestartInterval(TestPhotos.read(MESSI), 16);
    ImageProbe probe = ImageProbe.probe(restarts);
    assertTrue(hasMarker(restarts, DRI), "the re-encoded photo has a restart interval (DRI)");
    decoder.decode(ImageEncoding.JPEG, restarts, probe.width(), probe.height());

    int scan = scanDataStart(restarts);
    List<Integer> markers = new java.util.ArrayList<>();
    for (int i = scan; i + 1 < restarts.length; i++) {
      int next = restarts[i + 1] & 0xff;
      if ((restarts[i] & 0xff) == 0xFF && next >= RST0 && next <= RST0 + 7) {
        markers.add(i);
      }
    }
    assertTrue(markers.size() > 8, "restart markers: " + markers.size());
    for (int which : new int[] {1, markers.size() / 2, markers.size() - 1}) {
      byte[] damaged = restarts.clone();
      int at = markers.get(which) + 1;
      damaged[at] = (byte) (RST0 + ((damaged[at] - RST0 + 3) & 7));
      assertCorrupt(ImageEncoding.JPEG, damaged, restarts);
    }
  }

  @Test
  void aJpegWithAnUnreadableColourProfileStillDecodes() throws Exception {
    // The decoder warns that it ignored the profile; the pixels are intact, so this is no damage.
    byte[] messi = TestPhotos.read(MESSI);
    byte[] junk = new byte[200];
    new Random(3).nextBytes(junk);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(messi, 0, 2);
    byte[] id = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
    int length = 2 + id.length + 2 + junk.length;
    out.write(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) (length >> 8), (byte) length});
    out.write(id);
    out.write(new byte[] {1, 1}); // chunk 1 of 1
    out.write(junk);
    out.write(messi, 2, messi.length - 2);
    byte[] withProfile = out.toByteArray();

    ImageProbe probe = ImageProbe.probe(withProfile);
    RgbImage decoded = decoder.decode(ImageEncoding.JPEG, withProfile, probe.width(), probe.height());
    assertArrayEquals(decoder.decode(ImageEncoding.JPEG, messi, probe.width(), probe.height()).pixels(),
        decoded.pixels());
  }

  @Test
  void aPngCutAfterItsImageDataIsRefused() throws Exception {
    // All IDAT chunks are there, so ImageIO alone decodes these without complaint.
    byte[] basketball = TestPhotos.read(BASKETBALL);
    int iend = basketball.length - 12;
    assertEquals("IEND", new String(basketball, iend + 4, 4, StandardCharsets.ISO_8859_1));
    assertCorrupt(ImageEncoding.PNG, Arrays.copyOf(basketball, iend), basketball);
    assertCorrupt(ImageEncoding.PNG, Arrays.copyOf(basketball, basketball.length - 4), basketball);
    assertCorrupt(ImageEncoding.PNG, Arrays.copyOf(basketball, basketball.length - 1), basketball);
  }

  @Test
  void aPngWithABadChunkCrcIsRefused() throws Exception {
    byte[] basketball = TestPhotos.read(BASKETBALL);
    int ihdrCrc = 8 + 8 + 13;
    int firstIdat = ihdrCrc + 4;
    assertEquals("IDAT", new String(basketball, firstIdat + 4, 4, StandardCharsets.ISO_8859_1));
    int[] flips = {
      ihdrCrc + 1, // the IHDR chunk's CRC itself
      firstIdat + 8 + 4000, // compressed image data
      basketball.length - 2, // IEND's CRC: ImageIO never reads it
    };
    for (int at : flips) {
      byte[] damaged = basketball.clone();
      damaged[at] ^= 0x10;
      FrameRejectedException e = assertCorrupt(ImageEncoding.PNG, damaged, basketball);
      assertTrue(e.getMessage().contains("fails its CRC check"), e.getMessage());
    }
  }

  @Test
  void aPngWhoseImageDataEndsEarlyIsRefused() throws Exception {
    // The IDAT data cut to half, in chunks whose lengths and CRCs are right: every chunk checks out,
    // and the decoder finds the compressed stream ending early.
    byte[] basketball = TestPhotos.read(BASKETBALL);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    ByteBuffer in = ByteBuffer.wrap(basketball, 8, basketball.length - 8);
    ByteArrayOutputStream shortPng = new ByteArrayOutputStream();
    shortPng.write(basketball, 0, 8);
    while (in.hasRemaining()) {
      int length = in.getInt();
      byte[] type = new byte[4];
      in.get(type);
      byte[] data = new byte[length];
      in.get(data);
      in.getInt(); // CRC
      String name = new String(type, StandardCharsets.ISO_8859_1);
      if (name.equals("IDAT")) {
        idat.write(data);
        continue;
      }
      if (name.equals("IEND")) {
        byte[] all = idat.toByteArray();
        writeChunk(shortPng, "IDAT", Arrays.copyOf(all, all.length / 2));
      }
      writeChunk(shortPng, name, data);
    }
    FrameRejectedException e = assertCorrupt(ImageEncoding.PNG, shortPng.toByteArray(), basketball);
    assertTrue(e.getMessage().contains("Unexpected end of ZLIB input stream"), e.getMessage());
  }

  @Test
  void rawPixelsOfTheWrongLengthAreRefused() throws Exception {
    byte[] messi = TestPhotos.read(MESSI);
    ImageProbe probe = ImageProbe.probe(messi);
    byte[] pixels = decoder.decode(ImageEncoding.JPEG, messi, probe.width(), probe.height()).pixels();
    for (int length : new int[] {pixels.length / 10, pixels.length / 2, pixels.length - 3, pixels.length - 1,
        pixels.length + 3}) {
      FrameRejectedException e = assertThrows(FrameRejectedException.class,
          () -> decoder.decode(ImageEncoding.RAW_RGB8, Arrays.copyOf(pixels, length), probe.width(), probe.height()));
      assertEquals(Reason.SIZE_MISMATCH, e.reason(), e.getMessage());
      assertTrue(e.getMessage().contains("got " + length), e.getMessage());
    }
  }

  /**
   * Asserts that the damaged copy of {@code original} is refused as CORRUPT_IMAGE; the frame declares
   * the original's size, as a producer that probed the whole image would.
   */
  private FrameRejectedException assertCorrupt(ImageEncoding encoding, byte[] damaged, byte[] original)
      throws IOException {
    ImageProbe probe = ImageProbe.probe(original);
    FrameRejectedException e = assertThrows(FrameRejectedException.class,
        () -> decoder.decode(encoding, damaged, probe.width(), probe.height()));
    assertEquals(Reason.CORRUPT_IMAGE, e.reason(), e.getMessage());
    return e;
  }

  /** The photo re-encoded as a progressive JPEG by ImageIO. */
  private static byte[] progressive(byte[] jpeg) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      writer.setOutput(out);
      writer.write(null, new IIOImage(ImageIO.read(new ByteArrayInputStream(jpeg)), null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** The photo re-encoded by ImageIO with a restart marker every {@code interval} MCUs. */
  private static byte[] withRestartInterval(byte[] jpeg, int interval) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    java.awt.image.BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
    ImageWriteParam param = writer.getDefaultWriteParam();
    javax.imageio.metadata.IIOMetadata metadata = writer.getDefaultImageMetadata(
        javax.imageio.ImageTypeSpecifier.createFromRenderedImage(image), param);
    String format = "javax_imageio_jpeg_image_1.0";
    javax.imageio.metadata.IIOMetadataNode root =
        (javax.imageio.metadata.IIOMetadataNode) metadata.getAsTree(format);
    javax.imageio.metadata.IIOMetadataNode dri = new javax.imageio.metadata.IIOMetadataNode("dri");
    dri.setAttribute("interval", Integer.toString(interval));
    org.w3c.dom.Node sequence = root.getElementsByTagName("markerSequence").item(0);
    sequence.insertBefore(dri, sequence.getFirstChild());
    metadata.setFromTree(format, root);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, metadata), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }

  /** Where the first scan's entropy-coded data starts: after the SOS segment. */
  private static int scanDataStart(byte[] jpeg) {
    int at = 2;
    while ((jpeg[at + 1] & 0xff) != SOS) {
      at += 2 + (((jpeg[at + 2] & 0xff) << 8) | (jpeg[at + 3] & 0xff));
    }
    return at + 2 + (((jpeg[at + 2] & 0xff) << 8) | (jpeg[at + 3] & 0xff));
  }

  private static boolean hasMarker(byte[] jpeg, int marker) {
    for (int i = 0; i + 1 < jpeg.length; i++) {
      if ((jpeg[i] & 0xff) == 0xFF && (jpeg[i + 1] & 0xff) == marker) {
        return true;
      }
    }
    return false;
  }

  private static void writeChunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
    byte[] typeBytes = type.getBytes(StandardCharsets.ISO_8859_1);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.write(ByteBuffer.allocate(4).putInt(data.length).array());
    out.write(typeBytes);
    out.write(data);
    out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
