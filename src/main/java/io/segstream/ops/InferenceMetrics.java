package io.segstream.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Inference server metrics in the style of Triton's, tagged by model, version, device and instance.
 *
 * <ul>
 *   <li>{@code segstream.inference.requests} (outcome=success|failure): images answered, Triton's
 *       {@code nv_inference_request_success/failure};
 *   <li>{@code segstream.inference.executions}: model calls ({@code nv_inference_exec_count}); images
 *       per call are in {@code segstream.inference.batch.size} (mean = sum / count);
 *   <li>{@code segstream.inference.queue.time}: per image, enqueue to dispatch to an instance;
 *   <li>{@code segstream.inference.compute.time}: per model call;
 *   <li>{@code segstream.inference.pending}: images queued, not yet dispatched;
 *   <li>{@code segstream.inference.rejected}: images refused because the queue stayed full.
 * </ul>
 */
public final class InferenceMetrics implements AutoCloseable {

  public static final String REQUESTS = "segstream.inference.requests";
  public static final String EXECUTIONS = "segstream.inference.executions";
  public static final String BATCH_SIZE = "segstream.inference.batch.size";
  public static final String QUEUE_TIME = "segstream.inference.queue.time";
  public static final String COMPUTE_TIME = "segstream.inference.compute.time";
  public static final String PENDING = "segstream.inference.pending";
  public static final String REJECTED = "segstream.inference.rejected";

  private final MeterRegistry registry;
  private final Tags modelTags;
  private final Counter rejected;
  private final List<Meter> registered = new ArrayList<>();

  public InferenceMetrics(MeterRegistry registry, String model, String version) {
    this.registry = registry;
    this.modelTags = Tags.of("model", model, "version", version);
    this.rejected =
        remember(Counter.builder(REJECTED).description("Images refused: the queue stayed full")
            .tags(modelTags).register(registry));
  }

  /** Metrics that go nowhere, for tools and tests that do not export them. */
  public static InferenceMetrics unexported() {
    return new InferenceMetrics(new SimpleMeterRegistry(), "", "");
  }

  private <M extends Meter> M remember(M meter) {
    synchronized (registered) {
      registered.add(meter);
    }
    return meter;
  }

  /** Reports {@code pending.applyAsDouble(owner)} as the queue length. */
  public <T> void pendingRequests(T owner, ToDoubleFunction<T> pending) {
    remember(Gauge.builder(PENDING, owner, pending).description("Images queued, not yet dispatched")
        .tags(modelTags).register(registry));
  }

  public void rejected() {
    rejected.increment();
  }

  /** The meters of one model instance. */
  public Instance instance(String device, String instance) {
    return new Instance(modelTags.and("device", device, "instance", instance));
  }

  /** Meters of one model instance. */
  public final class Instance {
    private final Counter succeeded;
    private final Counter failed;
    private final Counter executions;
    private final DistributionSummary batchSize;
    private final Timer queueTime;
    private final Timer computeTime;

    private Instance(Tags tags) {
      succeeded = remember(Counter.builder(REQUESTS).description("Images answered")
          .tags(tags).tag("outcome", "success").register(registry));
      failed = remember(Counter.builder(REQUESTS).description("Images answered")
          .tags(tags).tag("outcome", "failure").register(registry));
      executions = remember(Counter.builder(EXECUTIONS).description("Model calls")
          .tags(tags).register(registry));
      batchSize = remember(DistributionSummary.builder(BATCH_SIZE).description("Images per model call")
          .tags(tags).register(registry));
      queueTime = remember(Timer.builder(QUEUE_TIME).description("Per image, enqueue to dispatch")
          .tags(tags).register(registry));
      computeTime = remember(Timer.builder(COMPUTE_TIME).description("Per model call")
          .tags(tags).register(registry));
    }

    public void queued(long nanos) {
      queueTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void executed(int images, long computeNanos) {
      executions.increment();
      batchSize.record(images);
      computeTime.record(computeNanos, TimeUnit.NANOSECONDS);
    }

    public void succeeded() {
      succeeded.increment();
    }

    public void failed() {
      failed.increment();
    }
  }

  /**
   * Running totals over every model and instance in {@code registry}; the difference of two
   * snapshots describes the batches run in between (a benchmark's Triton-style summary).
   */
  public static Totals totals(MeterRegistry registry) {
    double images = registry.find(REQUESTS).tag("outcome", "success").counters().stream()
        .mapToDouble(Counter::count).sum();
    // Each mean comes from one meter's own count and total, which it records in one step: the
    // per-image success counter moves after the call, so a snapshot between the two would see more
    // images than the calls carried.
    long calls = 0;
    double batchedImages = 0;
    for (DistributionSummary summary : registry.find(BATCH_SIZE).summaries()) {
      calls += summary.count();
      batchedImages += summary.totalAmount();
    }
    long queued = 0;
    double queueMs = 0;
    for (Timer timer : registry.find(QUEUE_TIME).timers()) {
      queued += timer.count();
      queueMs += timer.totalTime(TimeUnit.MILLISECONDS);
    }
    long timedCalls = 0;
    double computeMs = 0;
    for (Timer timer : registry.find(COMPUTE_TIME).timers()) {
      timedCalls += timer.count();
      computeMs += timer.totalTime(TimeUnit.MILLISECONDS);
    }
    return new Totals((long) images, calls, (long) batchedImages, queued, queueMs, timedCalls, computeMs);
  }

  /**
   * Counts and summed times of the inference meters.
   *
   * @param images images answered successfully
   * @param calls model calls (the batch-size summary's count)
   * @param batchedImages images those calls carried
   * @param queued images dispatched (each has a queue time)
   * @param queueMs summed queue time of the dispatched images
   * @param timedCalls model calls with a compute time
   * @param computeMs summed model call time
   */
  public record Totals(long images, long calls, long batchedImages, long queued, double queueMs,
      long timedCalls, double computeMs) {

    /** What happened since {@code earlier}. */
    public Totals minus(Totals earlier) {
      return new Totals(images - earlier.images, calls - earlier.calls, batchedImages - earlier.batchedImages,
          queued - earlier.queued, queueMs - earlier.queueMs, timedCalls - earlier.timedCalls,
          computeMs - earlier.computeMs);
    }

    /** Images per model call, Triton's average batch size. */
    public double meanBatchSize() {
      return calls == 0 ? Double.NaN : (double) batchedImages / calls;
    }

    public double meanQueueMs() {
      return queued == 0 ? Double.NaN : queueMs / queued;
    }

    public double meanComputeMsPerCall() {
      return timedCalls == 0 ? Double.NaN : computeMs / timedCalls;
    }
  }

  /** Unregisters every meter, so a replaced model version leaves no stale series behind. */
  @Override
  public void close() {
    synchronized (registered) {
      registered.forEach(registry::remove);
      registered.clear();
    }
  }
}
