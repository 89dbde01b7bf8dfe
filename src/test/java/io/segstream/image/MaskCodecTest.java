package io.segstream.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.model.SyntheticScenes;
import java.io.IOException;
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
