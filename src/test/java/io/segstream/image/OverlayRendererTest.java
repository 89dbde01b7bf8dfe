package io.segstream.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OverlayRendererTest {

  @Test
  void blendsClassColoursAndLeavesBackgroundAlone() throws Exception {
    byte[] pixels = new byte[2 * 1 * 3];
    java.util.Arrays.fill(pixels, (byte) 100);
    RgbImage frame = new RgbImage(2, 1, pixels);
    MaskCodec.Mask mask = new MaskCodec.Mask(2, 1, new byte[] {0, 1});

    RgbImage overlay = new OverlayRenderer(0.5).render(frame, mask);

    int[] c = OverlayRenderer.colour(1);
    assertEquals(100, overlay.channel(0, 0, 0));
    for (int ch = 0; ch < 3; ch++) {
      assertEquals(Math.round(0.5 * 100 + 0.5 * c[ch]), overlay.channel(1, 0, ch));
    }
    RgbImage decoded = Images.toRgb(javax.imageio.ImageIO.read(
        new java.io.ByteArrayInputStream(new OverlayRenderer(0.5).renderPng(frame, mask))));
    assertArrayEquals(overlay.pixels(), decoded.pixels());
  }

  @Test
  void refusesAMaskOfAnotherSize() {
    RgbImage frame = new RgbImage(2, 2, new byte[12]);
    assertThrows(IllegalArgumentException.class,
        () -> new OverlayRenderer(0.5).render(frame, new MaskCodec.Mask(1, 1, new byte[1])));
  }

  @Test
  void withoutAFrameOfTheMasksSizeTheMaskIsShownAlone() {
    MaskCodec.Mask mask = new MaskCodec.Mask(2, 1, new byte[] {0, 1});
    RgbImage colours = OverlayRenderer.colourise(mask);
    OverlayRenderer renderer = new OverlayRenderer(0.5);
    assertArrayEquals(colours.pixels(), renderer.renderOrColourise(null, mask).pixels());
    assertArrayEquals(colours.pixels(), renderer.renderOrColourise(new RgbImage(1, 1, new byte[3]), mask).pixels());
    RgbImage frame = new RgbImage(2, 1, new byte[6]);
    assertArrayEquals(renderer.render(frame, mask).pixels(), renderer.renderOrColourise(frame, mask).pixels());
  }
}
