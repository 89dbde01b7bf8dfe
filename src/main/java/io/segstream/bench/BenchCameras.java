package io.segstream.bench;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageFrame;
import io.segstream.topology.FrameProducers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The bench's cameras: one producer per frames-topic partition, as each camera (or its gateway) runs
 * its own client. While the frames topic is new each has one request in flight, then five: with one
 * producer and one request in flight, frames paced at 4,175 128x128 RAW per second (200 MB/s) waited
 * in its buffer, p50 122 ms from capture against 15 ms from the frames topic (docs/benchmarks.md,
 * round 8).
 */
final class BenchCameras implements AutoCloseable {

  private final Map<String, Object> settings;
  private final List<KafkaProducer<String, ImageFrame>> producers = new ArrayList<>();

  /**
   * Cameras with one request in flight each: the topic is brand new, and a first batch refused while
   * its partition is still opening must not be overtaken by the next one (the broker would then refuse
   * the retry as out of sequence, for good). {@link #pipeline()} lifts that once the topic is open.
   *
   * @param config the cluster and serde settings
   * @param cameras how many cameras, one per partition
   */
  BenchCameras(SegstreamConfig config, int cameras) {
    settings = new HashMap<>(config.originals());
    // A camera sends each frame as soon as it has it.
    settings.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    // So each request must carry many frames: with 256 KB batches (5 RAW 128x128 frames per partition)
    // the one request in flight held frames paced at 3,800 per second back (p50 196 ms against 35 ms
    // with 1 MB).
    settings.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1024 * 1024));
    open(cameras, 1);
  }

  private void open(int cameras, int requestsInFlight) {
    Map<String, Object> each = new HashMap<>(settings);
    each.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, Integer.toString(requestsInFlight));
    for (int camera = 0; camera < cameras; camera++) {
      producers.add(FrameProducers.create(new SegstreamConfig(each)));
    }
  }

  /**
   * Reopens the cameras with Kafka's default five requests in flight, for a topic that has taken
   * frames (its partitions are open); the idempotent producer keeps each partition's order.
   */
  void pipeline() {
    int cameras = producers.size();
    close();
    open(cameras, 5);
  }

  /** Sends a frame from the camera of its partition. */
  void send(ProducerRecord<String, ImageFrame> frame, Callback callback) {
    producers.get(frame.partition()).send(frame, callback);
  }

  /** How many cameras, hence producers, send. */
  int cameras() {
    return producers.size();
  }

  void flush() {
    producers.forEach(KafkaProducer::flush);
  }

  @Override
  public void close() {
    producers.forEach(KafkaProducer::close);
    producers.clear();
  }
}
