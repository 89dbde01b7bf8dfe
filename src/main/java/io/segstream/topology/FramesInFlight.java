package io.segstream.topology;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The commit barrier's record of one application: per input partition, the offset of the oldest frame
 * handed to the per-frame work whose results have not been forwarded yet. The segment stage keeps it
 * current from the stream thread; the clients of {@link CommitBarrierClientSupplier} clamp every
 * offset commit to it, so a commit never covers a frame whose results are not in the same or an
 * earlier commit. One instance per application (several can run in one JVM), never static.
 */
public final class FramesInFlight {

  private final Map<TopicPartition, Long> oldest = new ConcurrentHashMap<>();

  /** {@code offset} is now the oldest frame of {@code partition} whose results are not forwarded. */
  void hold(TopicPartition partition, long offset) {
    oldest.put(partition, offset);
  }

  /** Nothing of {@code partition} is in flight. */
  void release(TopicPartition partition) {
    oldest.remove(partition);
  }

  /** The oldest unforwarded offset of {@code partition}, if any. */
  public OptionalLong oldest(TopicPartition partition) {
    Long offset = oldest.get(partition);
    return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
  }

  /** Whether any of {@code partitions} has a frame in flight. */
  boolean anyOf(Collection<TopicPartition> partitions) {
    for (TopicPartition partition : partitions) {
      if (oldest.containsKey(partition)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code offsets} with each offset lowered to its partition's oldest frame in flight where that is
   * lower: the next owner of the partition starts there and makes the missing results.
   */
  public Map<TopicPartition, OffsetAndMetadata> clamp(Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<TopicPartition, OffsetAndMetadata> clamped = new HashMap<>(offsets);
    offsets.forEach((partition, committed) -> {
      Long barrier = oldest.get(partition);
      if (committed != null && barrier != null && barrier < committed.offset()) {
        // The leader epoch belongs to the record at the original offset, so it is not kept.
        clamped.put(partition, new OffsetAndMetadata(barrier, committed.metadata()));
      }
    });
    return clamped;
  }
}
