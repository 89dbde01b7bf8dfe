package io.segstream.topology;

import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.SegmentationMask;

/** What one frame became once its work is done: its two results, or the reason it is dead-lettered. */
sealed interface FrameOutcome {

  record Segmented(SegmentationMask mask, ClassAreas areas) implements FrameOutcome {}

  record Rejected(DeadLetters.Failure failure) implements FrameOutcome {}
}
