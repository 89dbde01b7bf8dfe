package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ImageEncoding;
import io.segstream.image.FrameDecoder;
import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodeBenchTest {

  /** A 64x48 gradient, JPEG-encoded: smooth, so decoders may differ only by rounding. */
  private static byte[] gradientJpeg() {
    int width = 64;
    int height = 48;
    byte[] pixels = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = (y * width + x) * 3;
        pixels[i] = (byte) (x * 4);
        pixels[i + 1] = (byte) (y * 5);
        pixels[i + 2] = (byte) 128;
      }
    }
    return Images.jpeg(new RgbImage(width, height, pixels), 0.9f);
  }

  @Test
  void tensorFlowDecodesTheSamePixelsAsImageIo() throws Exception {
    byte[] jpeg = gradientJpeg();
    FrameDecoder imageIo = new FrameDecoder(1 << 20, 1 << 20);
    TensorFlowJpegDecoder tensorFlow = new TensorFlowJpegDecoder();
    RgbImage decoded = tensorFlow.decode(jpeg);
    assertEquals(64, decoded.width());
    assertEquals(48, decoded.height());
    double diff = DecodeBench.meanAbsDiff(List.of(jpeg),
        new DecodeBench.Candidate("imageio", j -> imageIo.decode(ImageEncoding.JPEG, j, 64, 48)),
        new DecodeBench.Candidate("tf", tensorFlow::decode));
    assertTrue(diff < 2, "mean abs difference " + diff);
  }

  @Test
  void measuresEveryCandidateOverTheMeasuredRoundsOnly() throws Exception {
    int[] calls = new int[2];
    RgbImage image = new RgbImage(1, 1, new byte[] {10, 20, 30});
    RgbImage brighter = new RgbImage(1, 1, new byte[] {12, 22, 32});
    List<DecodeBench.Result> results = DecodeBench.measure("1x1", List.of(new byte[1], new byte[1]),
        List.of(new DecodeBench.Candidate("a", b -> { calls[0]++; return image; }),
            new DecodeBench.Candidate("b", b -> { calls[1]++; return brighter; })), 3);
    // 1 warm-up + 3 measured rounds over 2 frames, then the 2 frames decoded by both for the pixel comparison.
    assertEquals(List.of(10, 10), Arrays.asList(calls[0], calls[1]));
    assertEquals(List.of("a", "b"), results.stream().map(DecodeBench.Result::decoder).toList());
    assertEquals(0.0, results.get(0).meanAbsDiffToFirst());
    assertEquals(2.0, results.get(1).meanAbsDiffToFirst());
    assertTrue(DecodeBench.markdown(results).contains("| 1x1 | b | 2 |"));
  }
}
