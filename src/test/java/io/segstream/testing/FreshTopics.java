package io.segstream.testing;

import io.segstream.config.SegstreamConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Settings naming fresh topics and a fresh application id, so tests on one broker never see each other's records. */
public final class FreshTopics {

  private FreshTopics() {}

  /** Bootstrap servers, a new application id {@code <prefix>-<run>}, new topic names, two partitions. */
  public static Map<String, Object> settings(String bootstrap, String applicationPrefix) {
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, Object> props = new HashMap<>();
    props.put(SegstreamConfig.BOOTSTRAP_SERVERS, bootstrap);
    props.put(SegstreamConfig.APPLICATION_ID, applicationPrefix + "-" + run);
    props.put(SegstreamConfig.TOPIC_FRAMES, "frames-" + run);
    props.put(SegstreamConfig.TOPIC_MASKS, "masks-" + run);
    props.put(SegstreamConfig.TOPIC_AREAS, "areas-" + run);
    props.put(SegstreamConfig.TOPIC_DLQ, "dlq-" + run);
    props.put(SegstreamConfig.TOPIC_PARTITIONS, 2);
    return props;
  }
}
