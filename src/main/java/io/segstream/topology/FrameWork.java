package io.segstream.topology;

import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.MaskEncoding;
import io.segstream.contracts.SegmentationMask;
import io.segstream.image.FrameDecoder;
import io.segstream.image.FrameRejectedException;
import io.segstream.image.MaskCodec;
import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The per-frame work of the segment stage, off the stream thread: decode on the worker pool, the
 * model on the {@link Segmenter} (which batches frames of all tasks), then mask PNG, class areas and
 * the output records on the worker pool again. Every frame ends in a {@link FrameOutcome}: failures,
 * bugs included, become a dead letter with its reason, never an exceptional future.
 */
final class FrameWork {

  /** The stage named in dead letters of frames that could not be decoded. */
  static final String DECODE_STAGE = "decode";
  private static final double NANOS_PER_MS = 1_000_000.0;

  private final FrameDecoder decoder;
  private final Segmenter segmenter;
  private final Executor workers;

  FrameWork(FrameDecoder decoder, Segmenter segmenter, Executor workers) {
    this.decoder = decoder;
    this.segmenter = segmenter;
    this.workers = workers;
  }

  /** Starts the work for {@code inFlight} and returns at once. */
  CompletableFuture<FrameOutcome> start(InFlightFrame inFlight) {
    if (inFlight.rejection() != null) {
      return CompletableFuture.completedFuture(new FrameOutcome.Rejected(inFlight.rejection()));
    }
    return CompletableFuture.supplyAsync(() -> decode(inFlight.frame()), workers)
        .thenCompose(image -> segment(inFlight, image))
        .exceptionally(FrameWork::failed);
  }

  private RgbImage decode(ImageFrame frame) {
    try {
      return decoder.decode(frame);
    } catch (FrameRejectedException e) {
      throw new CompletionException(e);
    }
  }

  /** What the model said, with when it said it (measured on the thread that completed the call). */
  private record Inference(Segmentation segmentation, Throwable failure, long doneNanos) {}

  private CompletableFuture<FrameOutcome> segment(InFlightFrame inFlight, RgbImage image) {
    ModelInfo model = segmenter.modelInfo();
    long start = System.nanoTime();
    return segmenter.segmentAsync(image)
        .handle((segmentation, failure) -> new Inference(segmentation, failure, System.nanoTime()))
        .thenApplyAsync(
            inference -> inference.failure() != null
                ? modelError("segmentation failed: " + DeadLetters.describe(SegmentationException.unwrap(inference.failure())),
                    SegmentationException.unwrap(inference.failure()))
                : results(inFlight, image, model, inference.segmentation(), (inference.doneNanos() - start) / NANOS_PER_MS),
            workers);
  }

  private static FrameOutcome modelError(String reason, Throwable cause) {
    return new FrameOutcome.Rejected(
        new DeadLetters.Failure(SegmentFrameProcessor.STAGE, DeadLetters.MODEL_ERROR, reason, cause));
  }

  /** Decode rejections keep their reason; anything else is a bug, dead-lettered as unexpected. */
  private static FrameOutcome failed(Throwable failure) {
    Throwable cause = SegmentationException.unwrap(failure);
    if (cause instanceof FrameRejectedException rejected) {
      return new FrameOutcome.Rejected(
          new DeadLetters.Failure(DECODE_STAGE, rejected.reason().name(), rejected.getMessage(), rejected));
    }
    return new FrameOutcome.Rejected(new DeadLetters.Failure(SegmentationTopology.SEGMENT,
        DeadLetters.UNEXPECTED_ERROR, "unexpected error: " + DeadLetters.describe(cause), cause));
  }

  private static FrameOutcome results(
      InFlightFrame inFlight, RgbImage image, ModelInfo model, Segmentation segmentation, double inferenceMs) {
    if (segmentation.model() != null) {
      // A hot-reloading segmenter names the exact version that made this mask.
      model = segmentation.model();
    }
    if (segmentation.width() != image.width() || segmentation.height() != image.height()) {
      return modelError("model returned a " + segmentation.width() + "x" + segmentation.height()
          + " mask for a " + image.width() + "x" + image.height() + " frame", null);
    }
    List<ClassArea> areas;
    try {
      areas = MaskStatistics.classAreas(segmentation, model.classLabels());
    } catch (IllegalArgumentException e) {
      return modelError(e.getMessage(), e);
    }
    byte[] png = MaskCodec.encodePng(segmentation.width(), segmentation.height(), segmentation.classIds());
    ImageFrame frame = inFlight.frame();
    SegmentationMask mask =
        SegmentationMask.newBuilder()
            .setStreamId(frame.getStreamId())
            .setFrameSeq(frame.getFrameSeq())
            .setCaptureTimestamp(frame.getCaptureTimestamp())
            .setModelName(model.name())
            .setModelVersion(model.version())
            .setWidth(segmentation.width())
            .setHeight(segmentation.height())
            .setClassLabels(model.classLabels())
            .setMaskEncoding(MaskEncoding.PNG_GRAY8)
            .setMask(ByteBuffer.wrap(png))
            .setClassScores(scores(segmentation.classScores()))
            .setInferenceLatencyMs(inferenceMs)
            .setModelComputeMs(segmentation.computeNanos() / NANOS_PER_MS)
            .setProcessingLatencyMs((System.nanoTime() - inFlight.startNanos()) / NANOS_PER_MS)
            .build();
    ClassAreas classAreas =
        ClassAreas.newBuilder()
            .setStreamId(frame.getStreamId())
            .setFrameSeq(frame.getFrameSeq())
            .setCaptureTimestamp(frame.getCaptureTimestamp())
            .setModelName(model.name())
            .setModelVersion(model.version())
            .setWidth(segmentation.width())
            .setHeight(segmentation.height())
            .setAreas(areas)
            .build();
    return new FrameOutcome.Segmented(mask, classAreas);
  }

  private static List<Float> scores(float[] classScores) {
    List<Float> scores = new ArrayList<>(classScores == null ? 0 : classScores.length);
    if (classScores != null) {
      for (float score : classScores) {
        scores.add(score);
      }
    }
    return scores;
  }
}
