package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameDecoder;
import io.segstream.inference.Segmenter;
import java.util.concurrent.Executor;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;

/**
 * The processor's topology:
 *
 * <pre>
 *   frames (bytes) -> parse -> throttle -> segment -> masks
 *                                             |   \-> class-areas
 *                                             \-----> dead letters (original bytes + reason headers)
 * </pre>
 *
 * <p>Frames are read as raw bytes so a record that is not a valid {@code ImageFrame} reaches the
 * parse step and is dead-lettered like any other bad input, instead of failing in a deserializer.
 * Parse and throttle run on the stream thread; the segment step hands decode, model and
 * post-processing to a worker pool and the segmenter, and forwards every result, dead letters of
 * the earlier steps included, in input order (see {@link SegmentFrameProcessor}).
 */
public final class SegmentationTopology {

  public static final String SOURCE = "frames-source";
  public static final String PARSE = "parse-frame";
  public static final String THROTTLE = "throttle-frame";
  public static final String SEGMENT = "segment-frame";
  public static final String MASKS_SINK = "masks-sink";
  public static final String AREAS_SINK = "class-areas-sink";
  public static final String DEAD_LETTER_SINK = "dead-letter-sink";

  private SegmentationTopology() {}

  /**
   * The topology for {@code config}, with the configured topics, limits and serdes, counting what
   * becomes of each frame in {@code metrics}; per-frame work runs on {@code workers}, and the oldest
   * frame in flight per partition is kept in {@code inFlight} for the commit barrier.
   */
  public static Topology build(SegstreamConfig config, Segmenter segmenter, FrameMetrics metrics,
      Executor workers, FramesInFlight inFlight) {
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    FrameWork work = new FrameWork(
        new FrameDecoder(config.getInt(SegstreamConfig.MAX_FRAME_BYTES), config.getLong(SegstreamConfig.MAX_FRAME_PIXELS)),
        segmenter,
        workers);
    Topics topics = Topics.fromConfig(config);
    int window = config.framesInFlight();
    double maxFpsPerStream = config.getDouble(SegstreamConfig.MAX_FPS_PER_STREAM);
    Serde<ImageFrame> frameSerde = serdes.forValues(ImageFrame.class);
    Serde<SegmentationMask> maskSerde = serdes.forValues(SegmentationMask.class);
    Serde<ClassAreas> areasSerde = serdes.forValues(ClassAreas.class);

    Topology topology = new Topology();
    topology.addSource(
        SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.frames());
    topology.addProcessor(
        PARSE, () -> new ParseFrameProcessor(frameSerde.deserializer(), metrics, THROTTLE), SOURCE);
    topology.addProcessor(
        THROTTLE, () -> new ThrottleFrameProcessor(maxFpsPerStream, metrics, SEGMENT), PARSE);
    topology.addProcessor(
        SEGMENT,
        () -> new SegmentFrameProcessor(work, window, inFlight, topics.frames(), metrics, MASKS_SINK, AREAS_SINK),
        THROTTLE);
    topology.addSink(
        MASKS_SINK, topics.masks(), Serdes.String().serializer(), maskSerde.serializer(), SEGMENT);
    topology.addSink(
        AREAS_SINK, topics.areas(), Serdes.String().serializer(), areasSerde.serializer(), SEGMENT);
    topology.addSink(
        DEAD_LETTER_SINK,
        topics.deadLetters(),
        Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(),
        SEGMENT);
    return topology;
  }
}
