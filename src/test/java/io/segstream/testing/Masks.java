package io.segstream.testing;

import io.segstream.contracts.MaskEncoding;
import io.segstream.contracts.SegmentationMask;
import io.segstream.image.MaskCodec;
import io.segstream.model.SyntheticScenes;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Mask events as the processor writes them, for tests that feed a masks topic themselves. */
public final class Masks {

  private Masks() {}

  /** A mask of {@code classIds} (row by row, {@code width * height} of them) over the synthetic scenes' classes. */
  public static SegmentationMask of(String streamId, long frameSeq, int width, int height, byte[] classIds) {
    return SegmentationMask.newBuilder().setStreamId(streamId).setFrameSeq(frameSeq)
        .setCaptureTimestamp(Instant.now()).setModelName("test").setModelVersion("1")
        .setWidth(width).setHeight(height).setClassLabels(SyntheticScenes.CLASS_LABELS)
        .setMaskEncoding(MaskEncoding.PNG_GRAY8)
        .setMask(ByteBuffer.wrap(MaskCodec.encodePng(width, height, classIds)))
        .setInferenceLatencyMs(0).setProcessingLatencyMs(0).build();
  }
}
