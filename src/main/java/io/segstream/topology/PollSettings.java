package io.segstream.topology;

import io.segstream.config.SegstreamConfig;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poll, commit and transaction timing that lets slow inference through without the group or the
 * transaction coordinator giving up on a stream thread (docs/reliability.md explains the choices).
 *
 * <p>One frame can take at most {@link SegstreamConfig#worstCaseInference} in the segment step: every attempt waiting the
 * full {@code inference.timeout.ms} (the batcher's bound on queueing plus inference), plus the retry
 * backoffs. From that:
 *
 * <ul>
 *   <li>{@code max.poll.records} defaults to {@value #MAX_POLL_RECORDS}: frames are heavy and each
 *       costs a model call, so a poll hands over a few at a time.
 *   <li>{@code max.poll.interval.ms} is at least {@code max.poll.records} worst-case frames plus
 *       {@value #POLL_MARGIN_MS} ms, so the group never evicts a thread that is waiting on the model
 *       (eviction would rebalance, and the same slow frames would evict the next owner too). Below
 *       that it is raised, with a warning: to detect a hung model sooner, lower {@code
 *       inference.timeout.ms} or {@code model.retries}, which bound the hang itself.
 *   <li>Under exactly-once, {@code transaction.timeout.ms} is at least one worst-case frame plus
 *       {@value #TRANSACTION_MARGIN_MS} ms, so a transaction holding a slow frame is not aborted by
 *       the coordinator (which would fence the producer and rebalance). It is not raised further: it
 *       is also how long read_committed readers wait on a crashed instance's open transaction.
 *   <li>Under at-least-once, {@code commit.interval.ms} defaults to {@value #ALOS_COMMIT_INTERVAL_MS}
 *       ms instead of Kafka Streams' 30 s, bounding what a crash replays (and so duplicates) to about a
 *       second of frames.
 * </ul>
 *
 * Settings given explicitly win over these defaults, except that timeouts are raised to their floors.
 */
final class PollSettings {

  private static final Logger LOG = LoggerFactory.getLogger(PollSettings.class);

  static final int MAX_POLL_RECORDS = 5;
  static final long POLL_MARGIN_MS = 30_000;
  static final long TRANSACTION_MARGIN_MS = 10_000;
  static final long ALOS_COMMIT_INTERVAL_MS = 1_000;
  /** Kafka's own default, kept whenever the floor is lower. */
  static final long KAFKA_MAX_POLL_INTERVAL_MS = 300_000;
  /** Kafka Streams' default under exactly-once. */
  static final long STREAMS_EOS_TRANSACTION_TIMEOUT_MS = 10_000;

  private PollSettings() {}

  /** Applies the settings to {@code props}, which already hold the pass-through settings. */
  static void apply(Properties props, SegstreamConfig config) {
    long frameMs = config.worstCaseInference().toMillis();
    boolean exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));

    String maxPollRecordsKey = ConsumerConfig.MAX_POLL_RECORDS_CONFIG;
    Long pollRecords = consumerSetting(props, maxPollRecordsKey);
    if (pollRecords == null) {
      pollRecords = (long) MAX_POLL_RECORDS;
      props.put(StreamsConfig.mainConsumerPrefix(maxPollRecordsKey), MAX_POLL_RECORDS);
    }

    long pollFloor = pollRecords * frameMs + POLL_MARGIN_MS;
    String pollIntervalKey = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG;
    Long pollInterval = consumerSetting(props, pollIntervalKey);
    if (pollInterval == null) {
      setConsumerSetting(props, pollIntervalKey, Math.max(KAFKA_MAX_POLL_INTERVAL_MS, pollFloor));
    } else if (pollInterval < pollFloor) {
      LOG.warn("raising {}={} to {}: {} records per poll of up to {} ms each ({} x {} ms plus backoff) "
              + "must fit, or the group evicts threads waiting on the model",
          pollIntervalKey, pollInterval, pollFloor, pollRecords, frameMs,
          config.getInt(SegstreamConfig.MODEL_RETRIES) + 1, config.getInt(SegstreamConfig.INFERENCE_TIMEOUT_MS));
      setConsumerSetting(props, pollIntervalKey, pollFloor);
    }

    if (exactlyOnce) {
      long transactionFloor = frameMs + TRANSACTION_MARGIN_MS;
      String transactionKey = ProducerConfig.TRANSACTION_TIMEOUT_CONFIG;
      Long transactionTimeout = producerSetting(props, transactionKey);
      long wanted = transactionTimeout == null ? STREAMS_EOS_TRANSACTION_TIMEOUT_MS : transactionTimeout;
      if (wanted < transactionFloor) {
        if (transactionTimeout != null) {
          LOG.warn("raising {}={} to {} so a transaction can hold a frame taking up to {} ms",
              transactionKey, transactionTimeout, transactionFloor, frameMs);
        }
        wanted = transactionFloor;
      }
      props.remove(transactionKey);
      props.put(StreamsConfig.producerPrefix(transactionKey), (int) Math.min(Integer.MAX_VALUE, wanted));
    } else {
      props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, ALOS_COMMIT_INTERVAL_MS);
    }
  }

  /** The main consumer's value of {@code key}, by Kafka Streams' precedence of prefixes. */
  private static Long consumerSetting(Properties props, String key) {
    return firstNumber(props, List.of(StreamsConfig.mainConsumerPrefix(key), StreamsConfig.consumerPrefix(key), key));
  }

  private static Long producerSetting(Properties props, String key) {
    return firstNumber(props, List.of(StreamsConfig.producerPrefix(key), key));
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
