package io.segstream.topology;

import io.segstream.config.SegstreamConfig;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll and commit timing the pipelined segment stage still needs (docs/reliability.md explains
 * the choices). Stream threads do not wait on the model, except when a task's window of frames in
 * flight is full: then the thread waits for the oldest frame, at most {@link
 * SegstreamConfig#worstCaseInference} (every attempt timing out, plus backoffs). From that:
 *
 * <ul>
 *   <li>{@code max.poll.interval.ms} stays Kafka's 300 s unless a worst-case frame plus {@value
 *       #POLL_MARGIN_MS} ms does not fit in it (a raised {@code inference.timeout.ms} or {@code
 *       model.retries}); then it is raised to that floor, with a warning when it was set explicitly,
 *       so the group never evicts a thread waiting out a full window.
 *   <li>Under at-least-once, {@code commit.interval.ms} defaults to {@value #ALOS_COMMIT_INTERVAL_MS}
 *       ms instead of Kafka Streams' 30 s, bounding what a crash replays (and so duplicates) to about a
 *       second of frames.
 * </ul>
 *
 * The exactly-once {@code transaction.timeout.ms} is left at Kafka Streams' default: see
 * docs/reliability.md for what a full window waiting longer than it costs.
 */
final class PollSettings {

  private static final Logger LOG = LoggerFactory.getLogger(PollSettings.class);

  static final long POLL_MARGIN_MS = 30_000;
  static final long ALOS_COMMIT_INTERVAL_MS = 1_000;
  /** Kafka's own default, kept whenever the floor is lower. */
  static final long KAFKA_MAX_POLL_INTERVAL_MS = 300_000;

  private PollSettings() {}

  /** Applies the settings to {@code props}, which already hold the pass-through settings. */
  static void apply(Properties props, SegstreamConfig config) {
    long frameMs = config.worstCaseInference().toMillis();
    boolean exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));

    long pollFloor = frameMs + POLL_MARGIN_MS;
    String pollIntervalKey = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
    Long pollInterval = consumerSetting(props, pollIntervalKey);
    if (pollInterval == null) {
      if (pollFloor > KAFKA_MAX_POLL_INTERVAL_MS) {
        setConsumerSetting(props, pollIntervalKey, pollFloor);
      }
    } else if (pollInterval < pollFloor) {
      LOG.warn("raising {}={} to {}: a stream thread with a full window of frames in flight waits for the "
              + "oldest, up to {} ms ({} x {} ms plus backoff), and the group must not evict it meanwhile",
          pollIntervalKey, pollInterval, pollFloor, frameMs,
          config.getInt(SegstreamConfig.MODEL_RETRIES) + 1, config.getInt(SegstreamConfig.INFERENCE_TIMEOUT_MS));
      setConsumerSetting(props, pollIntervalKey, pollFloor);
    }

    if (!exactlyOnce) {
      props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, ALOS_COMMIT_INTERVAL_MS);
    }
  }

  /** The main consumer's value of {@code key}, by Kafka Streams' precedence of prefixes. */
  private static Long consumerSetting(Properties props, String key) {
    return firstNumber(props, List.of(StreamsConfig.mainConsumerPrefix(key), StreamsConfig.consumerPrefix(key), key));
  }

  private static void setConsumerSetting(Properties props, String key, long value) {
    props.remove(key);
    props.remove(StreamsConfig.consumerPrefix(key));
    props.put(StreamsConfig.mainConsumerPrefix(key), (int) Math.min(Integer.MAX_VALUE, value));
  }

  private static Long firstNumber(Properties props, List<String> keys) {
    for (String key : keys) {
      Object value = props.get(key);
      if (value != null) {
        try {
          return Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(key + " must be a number, got " + value, e);
        }
      }
    }
    return null;
  }
}
