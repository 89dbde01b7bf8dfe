package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.segstream.image.FrameRejectedException;
import io.segstream.image.JpegDecoder;
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

  @Test
  void itIsFoundByItsName() {
    assertEquals(TensorFlowJpegDecoder.class, JpegDecoder.named("tensorflow").getClass());
  }

  /**
   * On DJL's shared, asynchronous eager context one failed DecodeJpeg made every later op fail ("This
   * error cancels all future operations"); each failure must stay the failing frame's own.
   */
  @Test
  void aDamagedJpegDoesNotBreakTheNextDecodes() throws Exception {
    byte[] messi = TestPhotos.read("messi5.jpg");
    RgbImage first = decoder.decode(messi, 548, 342);
    for (int i = 0; i < 3; i++) {
      byte[] cut = Arrays.copyOf(messi, messi.length / (2 + i));
      assertThrows(FrameRejectedException.class, () -> decoder.decode(cut, 548, 342));
      assertArrayEquals(first.pixels(), decoder.decode(messi, 548, 342).pixels());
    }
  }

  @Test
  void aSizeOtherThanTheHeaderSaidIsRefused() throws Exception {
    byte[] messi = TestPhotos.read("messi5.jpg");
    FrameRejectedException e =
        assertThrows(FrameRejectedException.class, () -> decoder.decode(messi, 100, 100));
    assertEquals(FrameRejectedException.Reason.CORRUPT_IMAGE, e.reason());
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
