package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.MaskEncoding;
import io.segstream.contracts.SegmentationMask;
import io.segstream.image.MaskCodec;
import io.segstream.image.RgbImage;
import io.segstream.inference.ModelInfo;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SegmentationException;
import io.segstream.inference.Segmenter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Runs the model on a decoded frame and emits its {@link SegmentationMask} and {@link ClassAreas}.
 * Stateless: all it holds is the shared, thread-safe {@link Segmenter}.
 */
final class SegmentFrameProcessor extends FrameStage<String, InFlightFrame> {

  static final String STAGE = "segment";
  private static final double NANOS_PER_MS = 1_000_000.0;

  private final Segmenter segmenter;
  private final String masksSink;
  private final String areasSink;

  SegmentFrameProcessor(Segmenter segmenter, FrameMetrics metrics, String masksSink, String areasSink) {
    super(STAGE, metrics);
    this.segmenter = segmenter;
    this.masksSink = masksSink;
    this.areasSink = areasSink;
  }

  @Override
  public void process(Record<String, InFlightFrame> record) {
    InFlightFrame inFlight = record.value();
    RgbImage image = inFlight.image();
    ModelInfo model;
    Segmentation segmentation;
    long inferenceStart = System.nanoTime();
    try {
      model = segmenter.modelInfo();
      segmentation = segmenter.segment(image);
    } catch (SegmentationException | RuntimeException e) {
      deadLetter(record, DeadLetters.MODEL_ERROR, "segmentation failed: " + DeadLetters.describe(e), e);
      return;
    }
    double inferenceMs = (System.nanoTime() - inferenceStart) / NANOS_PER_MS;
    if (segmentation.model() != null) {
      // A hot-reloading segmenter names the exact version that made this mask.
      model = segmentation.model();
    }
    if (segmentation.width() != image.width() || segmentation.height() != image.height()) {
      deadLetter(record, DeadLetters.MODEL_ERROR,
          "model returned a " + segmentation.width() + "x" + segmentation.height() + " mask for a "
              + image.width() + "x" + image.height() + " frame",
          null);
      return;
    }
    List<ClassArea> areas;
    try {
      areas = MaskStatistics.classAreas(segmentation, model.classLabels());
    } catch (IllegalArgumentException e) {
      deadLetter(record, DeadLetters.MODEL_ERROR, e.getMessage(), e);
      return;
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
    context.forward(record.withValue(mask), masksSink);
    context.forward(record.withValue(classAreas), areasSink);
    metrics.segmented(frame.getCaptureTimestamp().toEpochMilli(), System.currentTimeMillis());
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
