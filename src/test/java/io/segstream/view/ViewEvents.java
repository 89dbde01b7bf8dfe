package io.segstream.view;

import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.MaskEncoding;
import io.segstream.contracts.SegmentationMask;
import io.segstream.image.FrameDecoder;
import io.segstream.image.FrameEncoder;
import io.segstream.image.MaskCodec;
import io.segstream.image.RgbImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Frames, masks and class areas as the processor would write them: a grey 8x8 frame, left half class 1. */
final class ViewEvents {

  static final int SIZE = 8;

  private ViewEvents() {}

  static FrameDecoder decoder() {
    return new FrameDecoder(1 << 20, 1 << 20);
  }

  static ImageFrame frame(String stream, long seq) {
    byte[] grey = new byte[SIZE * SIZE * 3];
    java.util.Arrays.fill(grey, (byte) 128);
    return new FrameEncoder(ImageEncoding.PNG).frame(stream, seq, Instant.ofEpochMilli(1_000), new RgbImage(SIZE, SIZE, grey),
        Map.of());
  }

  static SegmentationMask mask(String stream, long seq, Instant capture) {
    byte[] ids = new byte[SIZE * SIZE];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (byte) (i % SIZE < SIZE / 2 ? 1 : 0);
    }
    return SegmentationMask.newBuilder().setStreamId(stream).setFrameSeq(seq).setCaptureTimestamp(capture)
        .setModelName("test").setModelVersion("1").setWidth(SIZE).setHeight(SIZE)
        .setClassLabels(List.of("background", "circle")).setMaskEncoding(MaskEncoding.PNG_GRAY8)
        .setMask(ByteBuffer.wrap(MaskCodec.encodePng(SIZE, SIZE, ids))).setClassScores(List.of())
        .setInferenceLatencyMs(3).setModelComputeMs(2).setProcessingLatencyMs(4).build();
  }

  static ClassAreas areas(String stream, long seq, double circleFraction) {
    ClassArea circle = ClassArea.newBuilder().setLabel("circle").setClassId(1).setPixelCount(32)
        .setFraction(circleFraction).setMinX(0).setMinY(0).setMaxX(3).setMaxY(7).setCentroidX(1.5).setCentroidY(3.5)
        .build();
    return ClassAreas.newBuilder().setStreamId(stream).setFrameSeq(seq).setCaptureTimestamp(Instant.ofEpochMilli(1_000))
        .setModelName("test").setModelVersion("1").setWidth(SIZE).setHeight(SIZE).setAreas(List.of(circle)).build();
  }
}
