package io.segstream.cli;

import io.segstream.image.RgbImage;
import java.io.IOException;

/** The frames {@code demo} sends, and what it knows about each one afterwards. */
interface DemoSource {

  /** One line saying where the frames come from, for the summary. */
  String description();

  /** Frames expected: exact for synthetic scenes, an upper bound for a video. */
  int expectedFrames();

  /** Sends every frame to {@code sink}, in order; returns how many were sent. */
  long send(FrameSink sink) throws IOException;

  /**
   * The pixels of a frame that was sent, for its overlay, and forgets them (each is asked for once,
   * when its mask arrives); null when unknown.
   */
  RgbImage takeImage(String streamId, long frameSeq) throws IOException;

  /** The frame's ground-truth class ids, or null when there is no ground truth (real video). */
  byte[] truth(String streamId, long frameSeq);
}
