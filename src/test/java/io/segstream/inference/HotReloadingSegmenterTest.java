package io.segstream.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

class HotReloadingSegmenterTest {

  /** Answers every pixel with its version number as class id; can hold a request open. */
  static final class VersionSegmenter implements Segmenter {
    final int version;
    volatile boolean closed;
    volatile CountDownLatch entered = new CountDownLatch(0);
    volatile CountDownLatch gate = new CountDownLatch(0);

    VersionSegmenter(int version) {
      this.version = version;
    }

    @Override
    public ModelInfo modelInfo() {
      return new ModelInfo("fake", Integer.toString(version), List.of("a", "b", "c"));
    }

    @Override
    public Segmentation segment(RgbImage image) throws SegmentationException {
      if (closed) {
        throw new SegmentationException("used after close");
      }
      entered.countDown();
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new SegmentationException("interrupted", e);
      }
      byte[] mask = new byte[image.width() * image.height()];
      java.util.Arrays.fill(mask, (byte) version);
      return new Segmentation(image.width(), image.height(), mask, new float[3], 0);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private static void writeVersion(Path root, int version, boolean complete) throws Exception {
    Path dir = Files.createDirectories(root.resolve(Integer.toString(version)));
    Files.writeString(dir.resolve(ModelRepository.SAVED_MODEL_FILE), "pb");
    if (complete) {
      Files.writeString(dir.resolve(ModelRepository.MODEL_CONFIG_FILE), "name=fake");
    }
  }

  private static final RgbImage IMAGE = new RgbImage(2, 2, new byte[12]);

  @ParameterizedTest(name = "in-flight request by segmentAsync: {0}")
  @ValueSource(booleans = {false, true})
  void servesNewestCompleteVersionAndSwapsWithoutDroppingInFlightRequests(boolean async, @TempDir Path root)
      throws Exception {
    writeVersion(root, 1, true);
    writeVersion(root, 3, false); // still being copied: no properties yet
    java.util.Map<Integer, VersionSegmenter> loaded = new java.util.concurrent.ConcurrentHashMap<>();
    HotReloadingSegmenter.Loader loader =
        dir -> {
          int v = Integer.parseInt(dir.getFileName().toString());
          VersionSegmenter s = new VersionSegmenter(v);
          loaded.put(v, s);
          return s;
        };
    try (HotReloadingSegmenter segmenter = new HotReloadingSegmenter(new ModelRepository(root), loader, 0)) {
      assertEquals("1", segmenter.modelInfo().version());
      assertEquals(1, segmenter.segment(IMAGE).classAt(0, 0));

      // A request is in flight on version 1 when version 2 arrives.
      VersionSegmenter v1 = loaded.get(1);
      v1.entered = new CountDownLatch(1);
      v1.gate = new CountDownLatch(1);
      CompletableFuture<Segmentation> slow = async
          ? CompletableFuture.supplyAsync(() -> segmenter.segmentAsync(IMAGE)).thenCompose(result -> result)
          : CompletableFuture.supplyAsync(
              () -> {
                try {
                  return segmenter.segment(IMAGE);
                } catch (SegmentationException e) {
                  throw new RuntimeException(e);
                }
              });
      assertTrue(v1.entered.await(5, TimeUnit.SECONDS));

      writeVersion(root, 2, true);
      assertTrue(segmenter.reloadIfNewer());
      assertEquals("2", segmenter.modelInfo().version());
      assertEquals(2, segmenter.segment(IMAGE).classAt(0, 0));
      assertFalse(v1.closed, "the old version closed under an in-flight request");

      v1.gate.countDown();
      Segmentation slowResult = slow.get(5, TimeUnit.SECONDS);
      assertEquals(1, slowResult.classAt(0, 0));
      assertEquals("1", slowResult.model().version(), "stamped with the version that made it");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!v1.closed && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertTrue(v1.closed, "the old version was never closed");
      assertFalse(segmenter.reloadIfNewer(), "nothing newer: no swap");
    }
  }

  @Test
  void aVersionThatFailsToLoadLeavesTheCurrentOneServing(@TempDir Path root) throws Exception {
    writeVersion(root, 1, true);
    HotReloadingSegmenter.Loader loader =
        dir -> {
          if (dir.getFileName().toString().equals("2")) {
            throw new IllegalArgumentException("corrupt model");
          }
          return new VersionSegmenter(1);
        };
    try (HotReloadingSegmenter segmenter = new HotReloadingSegmenter(new ModelRepository(root), loader, 0)) {
      writeVersion(root, 2, true);
      assertFalse(segmenter.reloadIfNewer());
      assertEquals("1", segmenter.modelInfo().version());
      assertEquals(1, segmenter.segment(IMAGE).classAt(1, 1));
    }
  }

  @Test
  void aPlainSavedModelFolderIsItsOwnSingleVersion(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve(ModelRepository.SAVED_MODEL_FILE), "pb");
    Files.writeString(root.resolve(ModelRepository.MODEL_CONFIG_FILE), "name=fake");
    writeVersion(root, 7, true); // ignored: the root itself is a model
    assertEquals(root, new ModelRepository(root).latest().orElseThrow());
  }
}
