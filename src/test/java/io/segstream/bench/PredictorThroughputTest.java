package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PredictorThroughputTest {

  @Test
  void sizesAreSquareOrWidthByHeight() {
    assertArrayEquals(new int[] {128, 128}, PredictorThroughput.parseSize("128"));
    assertArrayEquals(new int[] {320, 240}, PredictorThroughput.parseSize(" 320X240 "));
    assertThrows(IllegalArgumentException.class, () -> PredictorThroughput.parseSize("0"));
    assertThrows(IllegalArgumentException.class, () -> PredictorThroughput.parseSize("1x2x3"));
    assertThrows(IllegalArgumentException.class, () -> PredictorThroughput.parseSize("big"));
  }
}
