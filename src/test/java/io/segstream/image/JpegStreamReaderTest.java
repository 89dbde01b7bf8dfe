package io.segstream.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ImageEncoding;
import io.segstream.model.SyntheticScenes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class JpegStreamReaderTest {

  private static byte[] jpeg(long seed, int w, int h) {
    return Images.jpeg(new SyntheticScenes().generate(seed, w, h).image(), 0.8f);
  }

  @Test
  void splitsConcatenatedJpegsIntoTheOriginalImages() throws IOException {
    byte[][] images = {jpeg(1, 40, 30), jpeg(2, 64, 48), jpeg(3, 17, 9)};
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    for (byte[] image : images) {
      stream.write(image);
    }
    try (JpegStreamReader reader = new JpegStreamReader(new ByteArrayInputStream(stream.toByteArray()), 1 << 20)) {
      for (byte[] image : images) {
        assertArrayEquals(image, reader.next());
      }
      assertNull(reader.next());
    }
  }

  @Test
  void anEmbeddedThumbnailDoesNotEndTheImage() throws IOException {
    byte[] thumbnail = jpeg(4, 8, 8);
    byte[] outer = jpeg(5, 32, 32);
    // An APP1 segment right after SOI holding a complete JPEG, as EXIF thumbnails do.
    ByteArrayOutputStream withThumbnail = new ByteArrayOutputStream();
    withThumbnail.write(outer, 0, 2);
    withThumbnail.write(new byte[] {(byte) 0xFF, (byte) 0xE1});
    int length = thumbnail.length + 2;
    withThumbnail.write(length >> 8);
    withThumbnail.write(length & 0xff);
    withThumbnail.write(thumbnail);
    withThumbnail.write(outer, 2, outer.length - 2);
    byte[] image = withThumbnail.toByteArray();

    byte[] twice = new byte[image.length * 2];
    System.arraycopy(image, 0, twice, 0, image.length);
    System.arraycopy(image, 0, twice, image.length, image.length);
    try (JpegStreamReader reader = new JpegStreamReader(new ByteArrayInputStream(twice), 1 << 20)) {
      assertArrayEquals(image, reader.next());
      assertArrayEquals(image, reader.next());
      assertNull(reader.next());
    }
    ImageProbe probe = ImageProbe.probe(image);
    assertEquals(new ImageProbe(ImageEncoding.JPEG, 32, 32), probe);
  }

  @Test
  void reportsTruncatedAndOversizedImages() {
    byte[] image = jpeg(6, 40, 30);
    byte[] truncated = Arrays.copyOf(image, image.length - 10);
    assertThrows(EOFException.class,
        () -> new JpegStreamReader(new ByteArrayInputStream(truncated), 1 << 20).next());
    IOException tooLarge = assertThrows(IOException.class,
        () -> new JpegStreamReader(new ByteArrayInputStream(image), 100).next());
    assertTrue(tooLarge.getMessage().contains("exceeds 100 bytes"), tooLarge.getMessage());
  }

  @Test
  void anImageCutShortByTheNextOneIsRefusedAndTheNextOneStillRead() throws IOException {
    // A real photo cut where a camera or pipe dropped the rest, then the next image, whole.
    byte[] messi = TestPhotos.read("messi5.jpg");
    for (double kept : new double[] {0.1, 0.5, 0.9}) {
      ByteArrayOutputStream stream = new ByteArrayOutputStream();
      stream.write(messi, 0, (int) (messi.length * kept));
      stream.write(messi);
      try (JpegStreamReader reader = new JpegStreamReader(new ByteArrayInputStream(stream.toByteArray()), 1 << 20)) {
        IOException e = assertThrows(IOException.class, reader::next);
        assertTrue(e.getMessage().contains("without its end-of-image marker"), e.getMessage());
        assertArrayEquals(messi, reader.next());
        assertNull(reader.next());
      }
    }
  }

  @Test
  void probeReadsPngAndRejectsOtherData() throws IOException {
    byte[] png = Images.png(new SyntheticScenes().generate(7, 20, 10).image());
    assertEquals(new ImageProbe(ImageEncoding.PNG, 20, 10), ImageProbe.probe(png));
    assertThrows(IOException.class, () -> ImageProbe.probe(new byte[] {1, 2, 3, 4}));
  }
}
