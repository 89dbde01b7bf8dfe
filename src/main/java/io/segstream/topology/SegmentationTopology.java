package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameDecoder;
import io.segstream.inference.Segmenter;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;

/**
 * The processor's topology:
 *
 * <pre>
 *   frames (bytes) -> parse -> throttle -> decode -> segment -> masks
 *                       |                    |          |   \-> class-areas
 *                       +--------------------+----------+-----> dead letters (original bytes + reason headers)
 * </pre>
 *
 * <p>Frames are read as raw bytes so a record that is not a valid {@code ImageFrame} reaches the
 * parse step and is dead-lettered like any other bad input, instead of failing in a deserializer.
 */
public final class SegmentationTopology {

  public static final String SOURCE = "frames-source";
  public static final String PARSE = "parse-frame";
  public static final String THROTTLE = "throttle-frame";
  public static final String DECODE = "decode-frame";
  public static final String SEGMENT = "segment-frame";
  public static final String MASKS_SINK = "masks-sink";
  public static final String AREAS_SINK = "class-areas-sink";
  public static final String DEAD_LETTER_SINK = "dead-letter-sink";

  private SegmentationTopology() {}

  /** The topology for {@code config}, with the configured topics, limits and serdes. */
  public static Topology build(SegstreamConfig config, Segmenter segmenter) {
    return build(config, segmenter, FrameMetrics.unexported());
  }

  /** The topology for {@code config}, counting what becomes of each frame in {@code metrics}. */
  public static Topology build(SegstreamConfig config, Segmenter segmenter, FrameMetrics metrics) {
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    return build(
        Topics.fromConfig(config),
        config.getDouble(SegstreamConfig.MAX_FPS_PER_STREAM),
        metrics,
        new FrameDecoder(
            config.getInt(SegstreamConfig.MAX_FRAME_BYTES),
            config.getLong(SegstreamConfig.MAX_FRAME_PIXELS)),
        segmenter,
        serdes.forValues(ImageFrame.class),
        serdes.forValues(SegmentationMask.class),
        serdes.forValues(ClassAreas.class));
  }

  public static Topology build(
      Topics topics,
      double maxFpsPerStream,
      FrameMetrics metrics,
      FrameDecoder decoder,
      Segmenter segmenter,
      Serde<ImageFrame> frameSerde,
      Serde<SegmentationMask> maskSerde,
      Serde<ClassAreas> areasSerde) {
    Topology topology = new Topology();
    topology.addSource(
        SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topics.frames());
    topology.addProcessor(
        PARSE, () -> new ParseFrameProcessor(frameSerde.deserializer(), metrics, THROTTLE), SOURCE);
    topology.addProcessor(
        THROTTLE, () -> new ThrottleFrameProcessor(maxFpsPerStream, metrics, DECODE), PARSE);
    topology.addProcessor(DECODE, () -> new DecodeFrameProcessor(decoder, metrics, SEGMENT), THROTTLE);
    topology.addProcessor(
        SEGMENT, () -> new SegmentFrameProcessor(segmenter, metrics, MASKS_SINK, AREAS_SINK), DECODE);
    topology.addSink(
        MASKS_SINK, topics.masks(), Serdes.String().serializer(), maskSerde.serializer(), SEGMENT);
    topology.addSink(
        AREAS_SINK, topics.areas(), Serdes.String().serializer(), areasSerde.serializer(), SEGMENT);
    topology.addSink(
        DEAD_LETTER_SINK,
        topics.deadLetters(),
        Serdes.ByteArray().serializer(),
        Serdes.ByteArray().serializer(),
        PARSE,
        DECODE,
        SEGMENT);
    return topology;
  }
}
