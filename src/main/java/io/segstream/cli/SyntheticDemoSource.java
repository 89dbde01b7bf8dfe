package io.segstream.cli;

import io.segstream.contracts.ImageEncoding;
import io.segstream.image.FrameEncoder;
import io.segstream.image.RgbImage;
import io.segstream.model.GroundTruthSegmenter;
import io.segstream.model.SyntheticScenes;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Seeded synthetic shape scenes, round-robin over {@code streams} cameras; their ground truth is known.
 * Paced, each camera sends {@code fps} frames per second, the cameras evenly staggered; a frame's capture
 * time is when it is due.
 */
final class SyntheticDemoSource implements DemoSource {

  /** Where a frame came from: its stream, sequence number and scene. */
  private record SentFrame(String streamId, long frameSeq, SyntheticScenes.Scene scene) {}

  private final List<SentFrame> order = new ArrayList<>();
  private final Map<String, SentFrame> byId = new HashMap<>();
  private final ImageEncoding encoding;
  private final String description;
  private final double framesPerSecond;

  /** {@code fps}: frames per second of each camera; 0: every frame at once (a burst). */
  SyntheticDemoSource(int frames, int streams, int width, int height, ImageEncoding encoding, double fps) {
    this.encoding = encoding;
    this.framesPerSecond = fps * streams;
    this.description = String.format(Locale.ROOT, "synthetic scenes %dx%d %s, %d stream(s)",
        width, height, encoding, streams);
    SyntheticScenes scenes = new SyntheticScenes();
    for (int i = 0; i < frames; i++) {
      SentFrame frame = new SentFrame("cam-" + (i % streams), i / streams, scenes.generate(1_000_000L + i, width, height));
      order.add(frame);
      byId.put(key(frame.streamId(), frame.frameSeq()), frame);
    }
  }

  /** A segmenter that answers every scene of this source with its ground truth. */
  GroundTruthSegmenter oracle() {
    GroundTruthSegmenter truth = new GroundTruthSegmenter();
    order.forEach(frame -> truth.register(frame.scene()));
    return truth;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public int expectedFrames() {
    return order.size();
  }

  @Override
  public long send(FrameSink sink) throws IOException {
    FrameEncoder encoder = new FrameEncoder(encoding);
    // Round robin over cameras at fps each, staggered: one frame every 1 / (streams x fps) seconds.
    Pacer pacer = new Pacer(framesPerSecond);
    for (SentFrame frame : order) {
      pacer.await();
      sink.send(encoder.frame(frame.streamId(), frame.frameSeq(), Instant.now(), frame.scene().image(),
          Map.of("source", "segstream demo")));
    }
    return order.size();
  }

  @Override
  public RgbImage takeImage(String streamId, long frameSeq) {
    SentFrame frame = byId.get(key(streamId, frameSeq));
    return frame == null ? null : frame.scene().image();
  }

  @Override
  public byte[] truth(String streamId, long frameSeq) {
    SentFrame frame = byId.get(key(streamId, frameSeq));
    return frame == null ? null : frame.scene().labels();
  }

  private static String key(String streamId, long frameSeq) {
    return streamId + "#" + frameSeq;
  }
}
