package io.segstream.topology;

import io.segstream.contracts.ImageFrame;
import io.segstream.ops.FrameMetrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The asynchronous segment stage of one stream task. {@code process} hands each frame to the {@link
 * FrameWork} (decode, model, mask and class areas off the stream thread) and returns without waiting;
 * results, dead letters included, are forwarded on the stream thread strictly in the order the frames
 * arrived (so in offset order per partition, and per camera), from {@code process} and from a
 * wall-clock punctuator that runs while frames are in flight.
 *
 * <p>At most {@code window} frames per task are in flight; a full window makes the stream thread wait
 * for the oldest (backpressure), forwarding as results come. The oldest unforwarded offset of each
 * partition is kept in {@link FramesInFlight}, which stops offset commits there (the commit barrier:
 * docs/inference.md). On close, results not yet forwarded are dropped; their frames were never
 * committed, so the next owner of the partition processes them again.
 */
final class SegmentFrameProcessor extends FrameStage<String, InFlightFrame> {

  static final String STAGE = "segment";
  /**
   * How often results are looked for while frames are in flight and no new frame arrives (the main
   * consumer's polls return as often meanwhile: {@link CommitBarrierClientSupplier}).
   */
  static final Duration FLUSH_INTERVAL = Duration.ofMillis(1);

  /** A frame handed to the work, in arrival order. */
  private record Pending(
      Record<String, InFlightFrame> record,
      DeadLetters.Source source,
      TopicPartition partition,
      CompletableFuture<FrameOutcome> outcome) {}

  private final FrameWork work;
  private final int window;
  private final FramesInFlight inFlight;
  private final String framesTopic;
  private final String masksSink;
  private final String areasSink;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final Set<TopicPartition> partitions = new HashSet<>();
  private Cancellable flusher;

  SegmentFrameProcessor(FrameWork work, int window, FramesInFlight inFlight, String framesTopic,
      FrameMetrics metrics, String masksSink, String areasSink) {
    super(metrics);
    if (window < 1) {
      throw new IllegalArgumentException("the window of frames in flight must be >= 1, got " + window);
    }
    this.work = work;
    this.window = window;
    this.inFlight = inFlight;
    this.framesTopic = framesTopic;
    this.masksSink = masksSink;
    this.areasSink = areasSink;
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    super.init(context);
    // A barrier left by an earlier owner of this task's partition (closed with frames in flight)
    // belongs to offsets this owner starts from anyway; dropping it keeps commits from going back.
    inFlight.release(new TopicPartition(framesTopic, context.taskId().partition()));
  }

  @Override
  public void process(Record<String, InFlightFrame> record) {
    forwardCompleted();
    if (pending.size() >= window) {
      long waitStart = System.nanoTime();
      while (pending.size() >= window) {
        awaitOldest();
        forwardCompleted();
      }
      metrics.windowWaited(System.nanoTime() - waitStart);
    }
    RecordMetadata metadata = context.recordMetadata().orElse(null);
    TopicPartition partition =
        metadata == null ? null : new TopicPartition(metadata.topic(), metadata.partition());
    Pending frame = new Pending(record, currentSource(), partition, work.start(record.value()));
    pending.add(frame);
    metrics.inFlight(1);
    if (partition != null) {
      partitions.add(partition);
      if (inFlight.oldest(partition).isEmpty()) {
        inFlight.hold(partition, metadata.offset());
      }
    }
    // Frames that finished at once (a rejected record, a fast model) leave now.
    forwardCompleted();
    if (!pending.isEmpty() && flusher == null) {
      flusher = context.schedule(FLUSH_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> forwardCompleted());
    }
  }

  /** Forwards the results of the frames at the head whose work is done, in order. */
  private void forwardCompleted() {
    boolean forwarded = false;
    while (!pending.isEmpty() && pending.peek().outcome().isDone()) {
      forward(pending.poll());
      forwarded = true;
    }
    if (forwarded) {
      publishOldest();
    }
    if (pending.isEmpty() && flusher != null) {
      flusher.cancel();
      flusher = null;
    }
  }

  private void forward(Pending frame) {
    metrics.inFlight(-1);
    FrameOutcome outcome = frame.outcome().join();
    Record<String, InFlightFrame> record = frame.record();
    InFlightFrame inFlightFrame = record.value();
    if (outcome instanceof FrameOutcome.Segmented segmented) {
      context.forward(record.withValue(segmented.mask()), masksSink);
      context.forward(record.withValue(segmented.areas()), areasSink);
      ImageFrame image = inFlightFrame.frame();
      metrics.segmented(image.getCaptureTimestamp().toEpochMilli(), System.currentTimeMillis());
    } else if (outcome instanceof FrameOutcome.Rejected rejected) {
      deadLetter(record, inFlightFrame.rawKey(), inFlightFrame.rawValue(), rejected.failure(), frame.source());
    }
  }

  /** Moves each partition's barrier to its oldest frame still pending, or lifts it. */
  private void publishOldest() {
    Map<TopicPartition, Long> oldest = new HashMap<>();
    for (Pending frame : pending) {
      if (frame.partition() != null && frame.source() != null) {
        oldest.putIfAbsent(frame.partition(), frame.source().offset());
      }
    }
    for (TopicPartition partition : partitions) {
      Long offset = oldest.get(partition);
      if (offset == null) {
        inFlight.release(partition);
      } else {
        inFlight.hold(partition, offset);
      }
    }
  }

  /** Waits for the oldest frame's work; the work always ends in an outcome, bounded by the inference timeout. */
  private void awaitOldest() {
    boolean interrupted = false;
    while (true) {
      try {
        pending.peek().outcome().get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Drops results not yet forwarded. Their barrier stays, so a commit after this close (Kafka Streams
   * may commit a closing task) cannot pass them; the next owner starts at the oldest of them.
   */
  @Override
  public void close() {
    if (flusher != null) {
      flusher.cancel();
      flusher = null;
    }
    metrics.inFlight(-pending.size());
    pending.clear();
  }
}
