package io.segstream.inference;

import io.segstream.image.RgbImage;
import io.segstream.ops.InferenceMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces images from many caller threads into batches for a pool of model instances, like Triton's
 * dynamic batcher.
 *
 * <ul>
 *   <li><b>Batching.</b> Images wait in a queue per image size; only images of equal width and height
 *       share a batch (a batch is one [N,H,W,3] tensor), so each size forms its own batches, unless
 *       the model has a fixed input size: every frame is fitted to it, so all share one queue. A batch
 *       goes to a free instance once it holds {@code maxBatchSize} images or its oldest image has
 *       waited {@code maxQueueDelay}; while every instance is busy, batches keep growing. With
 *       {@code dispatchWhenDeviceIdle}, a batch also goes, however small, to a free instance whose
 *       device runs no batch: waiting would only leave the device idle. Instances of one device
 *       (several per GPU) share its compute, so a free instance next to a busy one still waits for
 *       a full batch or the delay. Among ready sizes the one whose head waited longest goes first.
 *   <li><b>Backpressure.</b> At most {@code queueCapacity} images wait; further callers block, and
 *       fail with a {@link SegmentationException} when {@code requestTimeout} passes first. The same
 *       timeout bounds the wait for the result: {@link #segmentAsync} futures complete exceptionally
 *       when it passes, and the image leaves the queue if it had not been dispatched yet.
 *   <li><b>Isolation.</b> Each caller waits only for its own images. A failed batch is retried image
 *       by image, so one bad image fails alone; a batch that runs out of memory is split in halves
 *       and retried.
 * </ul>
 */
public final class DynamicBatcher implements Segmenter {

  private static final Logger log = LoggerFactory.getLogger(DynamicBatcher.class);

  /** One image waiting for its result. */
  private static final class Request {
    final RgbImage image;
    final ImageSize size;
    final long enqueuedNanos = System.nanoTime();
    final CompletableFuture<Segmentation> result = new CompletableFuture<>();

    Request(RgbImage image, ImageSize batchSize) {
      this.image = Objects.requireNonNull(image, "image");
      this.size = batchSize;
    }
  }

  private final ModelInfo modelInfo;
  private final ModelInstancePool pool;
  private final BatcherSettings settings;
  private final InferenceMetrics metrics;
  private final Map<ModelInstance, InferenceMetrics.Instance> meters = new HashMap<>();
  private final ExecutorService runners;
  private final Thread scheduler;

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when the scheduler may have work: an image queued or an instance freed. */
  private final Condition changed = lock.newCondition();
  /** Signalled when images leave the queue. */
  private final Condition space = lock.newCondition();
  private final Map<ImageSize, ArrayDeque<Request>> queues = new LinkedHashMap<>();
  private final ArrayDeque<ModelInstance> idle = new ArrayDeque<>();
  /** Batches running now, per device. */
  private final Map<String, Integer> runningOnDevice = new HashMap<>();
  private volatile int queued;
  /** No more images are taken: set by close, or by a failed scheduler. */
  private boolean closed;
  private boolean closeCalled;

  /** Starts batching for the pool's instances; closing the batcher closes the pool and the metrics. */
  public DynamicBatcher(
      ModelInfo modelInfo, ModelInstancePool pool, BatcherSettings settings, InferenceMetrics metrics) {
    this.modelInfo = modelInfo;
    this.pool = pool;
    this.settings = settings;
    this.metrics = metrics;
    for (ModelInstance instance : pool.instances()) {
      meters.put(instance, metrics.instance(instance.device(), instance.id()));
      idle.add(instance);
    }
    metrics.pendingRequests(this, DynamicBatcher::pending);
    AtomicInteger runnerNumber = new AtomicInteger();
    runners =
        Executors.newFixedThreadPool(
            pool.size(), daemon(() -> "segstream-inference-" + runnerNumber.getAndIncrement()));
    scheduler = daemon(() -> "segstream-batcher").newThread(this::schedule);
    scheduler.start();
  }

  private static java.util.concurrent.ThreadFactory daemon(java.util.function.Supplier<String> name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name.get());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public ModelInfo modelInfo() {
    return modelInfo;
  }

  /** Images queued and not yet dispatched to an instance. */
  public int pending() {
    return queued;
  }

  @Override
  public Segmentation segment(RgbImage image) throws SegmentationException {
    long deadline = deadline();
    return await(enqueue(image, deadline), deadline);
  }

  /** Queues every image, then waits for all; images of one size may share batches. */
  @Override
  public List<Segmentation> segmentAll(List<RgbImage> images) throws SegmentationException {
    long deadline = deadline();
    List<Request> requests = new ArrayList<>(images.size());
    try {
      for (RgbImage image : images) {
        requests.add(enqueue(image, deadline));
      }
      List<Segmentation> results = new ArrayList<>(requests.size());
      for (Request request : requests) {
        results.add(await(request, deadline));
      }
      return results;
    } catch (SegmentationException | RuntimeException e) {
      requests.forEach(request -> request.result.cancel(false));
      throw e;
    }
  }

  /**
   * Queues one image without waiting for its result (the caller blocks only while the queue is full).
   * The future is completed by the instance thread that ran the batch, or exceptionally with a {@link
   * SegmentationException} when the queue stayed full, the result did not come within the request
   * timeout (counted from this call, as for {@link #segment}), or the batcher closed.
   */
  @Override
  public CompletableFuture<Segmentation> segmentAsync(RgbImage image) {
    long deadline = deadline();
    Request request;
    try {
      request = enqueue(image, deadline);
    } catch (SegmentationException e) {
      return CompletableFuture.failedFuture(e);
    }
    // orTimeout completes the request itself, so the scheduler drops it if it is still queued.
    return request.result
        .orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(asyncFailure(failure)));
  }

  private SegmentationException asyncFailure(Throwable failure) {
    Throwable cause = SegmentationException.unwrap(failure);
    if (cause instanceof SegmentationException segmentation) {
      return segmentation;
    }
    if (cause instanceof TimeoutException) {
      return noResultInTime();
    }
    return new SegmentationException("inference failed: " + cause, cause);
  }

  private SegmentationException noResultInTime() {
    return new SegmentationException(
        "no inference result within " + settings.requestTimeout().toMillis() + " ms");
  }

  private long deadline() {
    return System.nanoTime() + settings.requestTimeout().toNanos();
  }

  private Request enqueue(RgbImage image, long deadline) throws SegmentationException {
    Request request = new Request(image, settings.batchSizeOf(image));
    lock.lock();
    try {
      while (queued >= settings.queueCapacity() && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          metrics.rejected();
          throw new SegmentationException(
              "inference queue full (" + settings.queueCapacity() + " images) for "
                  + settings.requestTimeout().toMillis() + " ms");
        }
        space.awaitNanos(left);
      }
      if (closed) {
        throw new SegmentationException("segmenter is closed");
      }
      queues.computeIfAbsent(request.size, size -> new ArrayDeque<>()).add(request);
      queued++;
      changed.signal();
      return request;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SegmentationException("interrupted while waiting for inference queue space", e);
    } finally {
      lock.unlock();
    }
  }

  private Segmentation await(Request request, long deadline) throws SegmentationException {
    try {
      return request.result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SegmentationException failure) {
        throw failure;
      }
      throw new SegmentationException("inference failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      request.result.cancel(false);
      throw noResultInTime();
    } catch (InterruptedException e) {
      request.result.cancel(false);
      Thread.currentThread().interrupt();
      throw new SegmentationException("interrupted while waiting for the inference result", e);
    }
  }

  /** The scheduler thread: hands ready batches to free instances. */
  private void schedule() {
    long maxDelay = settings.maxQueueDelay().toNanos();
    lock.lock();
    try {
      while (!closed) {
        long now = System.nanoTime();
        long waitNanos = Long.MAX_VALUE;
        if (!idle.isEmpty()) {
          ModelInstance onIdleDevice = instanceOnIdleDevice();
          boolean sendNow = settings.dispatchWhenDeviceIdle() && onIdleDevice != null;
          ArrayDeque<Request> ready = null;
          for (Iterator<ArrayDeque<Request>> it = queues.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Request> queue = it.next();
            dropAbandoned(queue);
            if (queue.isEmpty()) {
              it.remove();
              continue;
            }
            long waited = now - queue.peek().enqueuedNanos;
            if (queue.size() >= settings.maxBatchSize() || waited >= maxDelay || sendNow) {
              if (ready == null || queue.peek().enqueuedNanos < ready.peek().enqueuedNanos) {
                ready = queue;
              }
            } else {
              waitNanos = Math.min(waitNanos, maxDelay - waited);
            }
          }
          if (ready != null) {
            // An instance whose device is idle starts at once; one beside a busy instance would queue.
            ModelInstance instance = onIdleDevice != null ? onIdleDevice : idle.peek();
            idle.remove(instance);
            dispatch(ready, instance, now);
            continue;
          }
        }
        if (waitNanos == Long.MAX_VALUE) {
          changed.await();
        } else {
          changed.awaitNanos(waitNanos);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      // Without a scheduler nothing would ever run: fail fast rather than let callers time out.
      log.error("Batch scheduler failed; the segmenter stops", e);
      closed = true;
      SegmentationException stopped = new SegmentationException("batch scheduler failed: " + e, e);
      queues.values().forEach(queue -> queue.forEach(request -> request.result.completeExceptionally(stopped)));
      queues.clear();
      queued = 0;
      space.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** A free instance whose device runs no batch; null when there is none. */
  private ModelInstance instanceOnIdleDevice() {
    for (ModelInstance instance : idle) {
      if (runningOnDevice.getOrDefault(instance.device(), 0) == 0) {
        return instance;
      }
    }
    return null;
  }

  /** Drops requests at the head whose callers gave up (timed out, interrupted). */
  private void dropAbandoned(ArrayDeque<Request> queue) {
    while (!queue.isEmpty() && queue.peek().result.isDone()) {
      queue.poll();
      queued--;
      space.signalAll();
    }
  }

  private void dispatch(ArrayDeque<Request> queue, ModelInstance instance, long now) {
    List<Request> batch = new ArrayList<>(Math.min(queue.size(), settings.maxBatchSize()));
    while (batch.size() < settings.maxBatchSize() && !queue.isEmpty()) {
      Request request = queue.poll();
      queued--;
      if (!request.result.isDone()) {
        batch.add(request);
      }
    }
    space.signalAll();
    if (batch.isEmpty()) {
      idle.addFirst(instance);
      return;
    }
    InferenceMetrics.Instance instanceMeters = meters.get(instance);
    batch.forEach(request -> instanceMeters.queued(now - request.enqueuedNanos));
    runningOnDevice.merge(instance.device(), 1, Integer::sum);
    runners.execute(() -> runAndRelease(instance, batch));
  }

  private void runAndRelease(ModelInstance instance, List<Request> batch) {
    try {
      run(instance, batch);
    } catch (RuntimeException | Error e) {
      // A bug here must not strand callers or lose the instance.
      log.error("Batch on {} failed unexpectedly", instance.id(), e);
      SegmentationException failure = new SegmentationException("internal batching error: " + e, e);
      batch.forEach(request -> request.result.completeExceptionally(failure));
    } finally {
      lock.lock();
      try {
        runningOnDevice.merge(instance.device(), -1, Integer::sum);
        idle.add(instance);
        changed.signal();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Runs one batch; on failure retries in halves (out of memory) or one image at a time. */
  private void run(ModelInstance instance, List<Request> requests) {
    List<Request> live = requests.stream().filter(request -> !request.result.isDone()).toList();
    if (live.isEmpty()) {
      return;
    }
    InferenceMetrics.Instance instanceMeters = meters.get(instance);
    long start = System.nanoTime();
    List<Segmentation> results;
    try {
      results = instance.backend().runBatch(live.stream().map(request -> request.image).toList());
      if (results == null || results.size() != live.size()) {
        throw new SegmentationException(
            "model instance " + instance.id() + " returned "
                + (results == null ? "no" : results.size()) + " results for " + live.size() + " images");
      }
    } catch (Exception | OutOfMemoryError e) {
      instanceMeters.executed(live.size(), System.nanoTime() - start);
      retry(instance, live, e);
      return;
    }
    instanceMeters.executed(live.size(), System.nanoTime() - start);
    // Count every answer before handing any out: completing a future runs its callers' next steps on
    // this thread, and meter snapshots taken meanwhile must not see the call without its images.
    live.forEach(request -> instanceMeters.succeeded());
    for (int i = 0; i < live.size(); i++) {
      live.get(i).result.complete(results.get(i));
    }
  }

  private void retry(ModelInstance instance, List<Request> failed, Throwable failure) {
    if (failed.size() == 1) {
      meters.get(instance).failed();
      failed.get(0).result.completeExceptionally(asSegmentationException(instance, failure));
    } else if (InferenceOutOfMemoryException.isOutOfMemory(failure)) {
      log.warn("Batch of {} ran out of memory on {}; retrying in halves", failed.size(), instance.id());
      int half = failed.size() / 2;
      run(instance, failed.subList(0, half));
      run(instance, failed.subList(half, failed.size()));
    } else {
      log.warn("Batch of {} failed on {} ({}); retrying its images one by one",
          failed.size(), instance.id(), failure.getMessage());
      for (Request request : failed) {
        run(instance, List.of(request));
      }
    }
  }

  private static SegmentationException asSegmentationException(ModelInstance instance, Throwable failure) {
    if (failure instanceof SegmentationException segmentation) {
      return segmentation;
    }
    String message = "model instance " + instance.id() + " failed: " + failure;
    return InferenceOutOfMemoryException.isOutOfMemory(failure)
        ? new InferenceOutOfMemoryException(message, failure)
        : new SegmentationException(message, failure);
  }

  /**
   * Stops taking images, fails those still queued, lets running batches finish (up to the request
   * timeout), then closes the instances.
   */
  @Override
  public void close() {
    List<Request> abandoned = new ArrayList<>();
    lock.lock();
    try {
      if (closeCalled) {
        return;
      }
      closeCalled = true;
      closed = true;
      queues.values().forEach(abandoned::addAll);
      queues.clear();
      queued = 0;
      changed.signalAll();
      space.signalAll();
    } finally {
      lock.unlock();
    }
    SegmentationException closing = new SegmentationException("segmenter closed before inference");
    abandoned.forEach(request -> request.result.completeExceptionally(closing));
    try {
      scheduler.join(settings.requestTimeout().toMillis());
      runners.shutdown();
      if (!runners.awaitTermination(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Inference still running at close; closing the model anyway");
        runners.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      runners.shutdownNow();
    }
    pool.close();
    metrics.close();
  }
}
