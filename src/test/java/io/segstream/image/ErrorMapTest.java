package io.segstream.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ErrorMapTest {

  @Test
  void dimsRightPixelsPaintsWrongOnesRedAndVoidGrey() {
    RgbImage image = new RgbImage(3, 1, new byte[] {100, (byte) 200, 50, 10, 20, 30, 1, 2, 3});
    byte[] truth = {1, 2, (byte) 255};
    byte[] predicted = {1, 0, 1};
    RgbImage map = ErrorMap.render(image, truth, predicted, 255);
    assertArrayEquals(new byte[] {40, 80, 20, (byte) 255, 0, 0, (byte) 128, (byte) 128, (byte) 128}, map.pixels());
  }

  @Test
  void refusesMasksOfAnotherSize() {
    RgbImage image = new RgbImage(2, 1, new byte[6]);
    assertThrows(IllegalArgumentException.class, () -> ErrorMap.render(image, new byte[2], new byte[3], 255));
  }
}
