package io.segstream.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.model.SyntheticScenes;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class MaskCodecTest {

  @Test
  void pngRoundTripKeepsEveryClassId() throws IOException {
    byte[] ids = new byte[40 * 30];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (byte) (i % 256);
    }
    MaskCodec.Mask mask = MaskCodec.decodePng(MaskCodec.encodePng(40, 30, ids));
    assertEquals(40, mask.width());
    assertEquals(30, mask.height());
    assertArrayEquals(ids, mask.classIds());
    assertEquals(255, mask.classAt(15, 6));
  }

  @Test
  void pngOfARealMaskIsMuchSmallerThanRaw() {
    byte[] labels = new SyntheticScenes().generate(3, 256, 256).labels();
    byte[] png = MaskCodec.encodePng(256, 256, labels);
    assertTrue(png.length < labels.length / 10, "PNG mask is " + png.length + " bytes");
  }

  @Test
  void pngIsAValidPngWithIntactChunks() throws Exception {
    byte[] labels = new SyntheticScenes().generate(5, 640, 360).labels();
    byte[] png = MaskCodec.encodePng(640, 360, labels);
    PngChunks.verify(png); // every chunk's CRC, and IEND
    javax.imageio.ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
    reader.setInput(ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(png)));
    assertEquals(640, reader.getWidth(0));
    assertEquals(360, reader.getHeight(0));
    assertArrayEquals(labels, MaskCodec.decodePng(png).classIds());
    // Deflate level 1 keeps a scene's mask near 1% of its raw size.
    assertTrue(png.length < labels.length / 50, "PNG mask is " + png.length + " bytes");
  }

  @Test
  void oneThreadEncodesManyMasksOfChangingSizes() throws IOException {
    // The deflater is reused per thread: each mask must come out whole whatever came before.
    for (int size = 1; size <= 64; size += 9) {
      byte[] ids = new SyntheticScenes().generate(size, size + 3, size).labels();
      assertArrayEquals(ids, MaskCodec.decodePng(MaskCodec.encodePng(size + 3, size, ids)).classIds());
    }
  }

  @Test
  void refusesAColourPngAsMask() {
    byte[] colour = Images.png(new SyntheticScenes().generate(1, 8, 8).image());
    IOException e = assertThrows(IOException.class, () -> MaskCodec.decodePng(colour));
    assertTrue(e.getMessage().contains("grayscale"), e.getMessage());
    assertThrows(IOException.class, () -> MaskCodec.decodePng(new byte[] {1, 2, 3}));
  }

  @Test
  void refusesIdsThatDoNotFitTheSize() {
    assertThrows(IllegalArgumentException.class, () -> MaskCodec.encodePng(4, 4, new byte[15]));
  }
}
