package io.segstream.topology;

import io.segstream.config.SegstreamConfig;
import java.util.List;

/** The topics the processor reads and writes. */
public record Topics(String frames, String masks, String areas, String deadLetters) {

  public static Topics fromConfig(SegstreamConfig config) {
    return new Topics(
        config.getString(SegstreamConfig.TOPIC_FRAMES),
        config.getString(SegstreamConfig.TOPIC_MASKS),
        config.getString(SegstreamConfig.TOPIC_AREAS),
        config.getString(SegstreamConfig.TOPIC_DLQ));
  }

  public List<String> all() {
    return List.of(frames, masks, areas, deadLetters);
  }
}
