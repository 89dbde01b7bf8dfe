package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segstream.image.RgbImage;
import io.segstream.image.TestPhotos;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TensorFlowJpegDecoderTest {

  private final TensorFlowJpegDecoder decoder = new TensorFlowJpegDecoder();

  /**
   * On DJL's shared, asynchronous eager context one failed DecodeJpeg made every later op fail ("This
   * error cancels all future operations"); each failure must stay the failing frame's own.
   */
  @Test
  void aDamagedJpegDoesNotBreakTheNextDecodes() throws Exception {
    byte[] messi = TestPhotos.read("messi5.jpg");
    RgbImage first = decoder.decode(messi);
    assertEquals(548, first.width());
    assertEquals(342, first.height());
    for (int i = 0; i < 3; i++) {
      byte[] cut = Arrays.copyOf(messi, messi.length / (2 + i));
      assertThrows(IllegalArgumentException.class, () -> decoder.decode(cut));
      assertArrayEquals(first.pixels(), decoder.decode(messi).pixels());
    }
  }

  @Test
  void threadsDecodeAtTheSameTime() throws Exception {
    List<byte[]> photos = new ArrayList<>();
    List<RgbImage> expected = new ArrayList<>();
    for (String name : List.of("messi5.jpg", "baboon.jpg", "fruits.jpg", "HappyFish.jpg")) {
      photos.add(TestPhotos.read(name));
      expected.add(decoder.decode(photos.get(photos.size() - 1)));
    }
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> same = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        int which = i % photos.size();
        same.add(threads.submit(() -> Arrays.equals(expected.get(which).pixels(), decoder.decode(photos.get(which)).pixels())));
      }
      for (Future<Boolean> result : same) {
        assertEquals(true, result.get());
      }
    } finally {
      threads.shutdownNow();
    }
  }
}
