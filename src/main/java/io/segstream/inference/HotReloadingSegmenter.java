package io.segstream.inference;

import io.segstream.image.RgbImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the newest model version of a {@link ModelRepository} and swaps in a newer one without
 * stopping the stream: the new version is loaded and warmed beside the old, then requests move to it,
 * and the old one is closed once its in-flight requests have finished.
 */
public final class HotReloadingSegmenter implements Segmenter {

  private static final Logger log = LoggerFactory.getLogger(HotReloadingSegmenter.class);

  /** Loads (and warms) the model in one version folder. */
  @FunctionalInterface
  public interface Loader {
    Segmenter load(Path versionDir) throws Exception;
  }

  /** One loaded version and the requests still running on it. */
  private static final class Generation {
    final Path dir;
    final Segmenter segmenter;
    final AtomicInteger inFlight = new AtomicInteger();

    Generation(Path dir, Segmenter segmenter) {
      this.dir = dir;
      this.segmenter = segmenter;
    }
  }

  private final ModelRepository repository;
  private final Loader loader;
  private final AtomicReference<Generation> current = new AtomicReference<>();
  private final ScheduledExecutorService poller;

  /**
   * Loads the newest version now; when {@code pollMillis > 0} looks for newer ones that often.
   *
   * @throws IllegalStateException if the repository holds no complete version or it fails to load
   */
  public HotReloadingSegmenter(ModelRepository repository, Loader loader, long pollMillis) {
    this.repository = repository;
    this.loader = loader;
    Path first =
        repository
            .latest()
            .orElseThrow(() -> new IllegalStateException("no model version in " + repository.root()));
    current.set(new Generation(first, loadOrThrow(first)));
    if (pollMillis > 0) {
      poller =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "segstream-model-reload");
                t.setDaemon(true);
                return t;
              });
      poller.scheduleWithFixedDelay(this::reloadIfNewer, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    } else {
      poller = null;
    }
  }

  private Segmenter loadOrThrow(Path dir) {
    try {
      return loader.load(dir);
    } catch (Exception e) {
      throw new IllegalStateException("cannot load model " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Swaps to the newest version if it is not the one served. A version that fails to load is logged
   * and skipped; the current one keeps serving.
   *
   * @return true when a new version was swapped in
   */
  public synchronized boolean reloadIfNewer() {
    Path newest = repository.latest().orElse(null);
    Generation serving = current.get();
    if (newest == null || newest.equals(serving.dir)) {
      return false;
    }
    Segmenter loaded;
    try {
      loaded = loader.load(newest);
    } catch (Exception e) {
      log.warn("Model version {} failed to load; still serving {}", newest, serving.dir, e);
      return false;
    }
    current.set(new Generation(newest, loaded));
    log.info("Serving model {} (was {})", loaded.modelInfo(), serving.segmenter.modelInfo());
    retire(serving);
    return true;
  }

  /** Closes a replaced version after its last in-flight request. */
  private static void retire(Generation old) {
    Thread closer =
        new Thread(
            () -> {
              while (old.inFlight.get() > 0) {
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
              }
              old.segmenter.close();
            },
            "segstream-model-retire");
    closer.setDaemon(true);
    closer.start();
  }

  private Generation acquire() {
    while (true) {
      Generation generation = current.get();
      generation.inFlight.incrementAndGet();
      if (current.get() == generation) {
        return generation;
      }
      // Swapped between the read and the increment: the old one may already be closing.
      generation.inFlight.decrementAndGet();
    }
  }

  @Override
  public ModelInfo modelInfo() {
    return current.get().segmenter.modelInfo();
  }

  @Override
  public Segmentation segment(RgbImage image) throws SegmentationException {
    Generation generation = acquire();
    try {
      return stamped(generation, generation.segmenter.segment(image));
    } finally {
      generation.inFlight.decrementAndGet();
    }
  }

  /** As {@link #segment}: the version stays open until this image's result is in. */
  @Override
  public CompletableFuture<Segmentation> segmentAsync(RgbImage image) {
    Generation generation = acquire();
    CompletableFuture<Segmentation> result;
    try {
      result = generation.segmenter.segmentAsync(image);
    } catch (RuntimeException e) {
      generation.inFlight.decrementAndGet();
      return CompletableFuture.failedFuture(e);
    }
    return result
        .whenComplete((segmentation, error) -> generation.inFlight.decrementAndGet())
        .thenApply(segmentation -> stamped(generation, segmentation));
  }

  @Override
  public List<Segmentation> segmentAll(List<RgbImage> images) throws SegmentationException {
    Generation generation = acquire();
    try {
      return generation.segmenter.segmentAll(images).stream()
          .map(result -> stamped(generation, result))
          .toList();
    } finally {
      generation.inFlight.decrementAndGet();
    }
  }

  private static Segmentation stamped(Generation generation, Segmentation result) {
    return result.model() != null ? result : result.withModel(generation.segmenter.modelInfo());
  }

  /** The folder of the version served now. */
  public Path servingDir() {
    return current.get().dir;
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
    Generation last = current.get();
    Objects.requireNonNull(last).segmenter.close();
  }
}
