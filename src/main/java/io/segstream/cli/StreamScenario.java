package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameEncoder;
import io.segstream.image.RgbImage;
import io.segstream.inference.Segmenter;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * One processor configuration driven through a real broker, in two phases:
 *
 * <ol>
 *   <li><b>Throughput</b>: a backlog of frames is produced to a fresh frames topic before the
 *       processor starts; the rate at which masks arrive while it drains the backlog is its capacity.
 *   <li><b>Latency</b>: frames are then sent one by one at a fixed rate below that capacity, each
 *       stamped with its capture time as it is sent; latency is capture time to the mask's arrival at
 *       a consumer. Measured under backlog, latency would only tell how long the queue was.
 * </ol>
 *
 * <p>Frames go round robin over the topic's partitions, one camera (record key) per partition, so
 * every stream thread gets work.
 */
final class StreamScenario implements AutoCloseable {

  /**
   * Backlog drain: masks per second from the processor's start (seen RUNNING, or its first mask,
   * whichever comes first) to the last mask's arrival; CPU time of this
   * whole process (broker and clients included) per frame, from the processor's start to the last mask.
   */
  record Throughput(int frames, int deadLetters, double seconds, double framesPerSecond, double cpuMsPerFrame) {}

  /** Paced run: frames sent at {@code rate} per second; latency percentiles in milliseconds. */
  record Latency(int frames, int deadLetters, double rate, double p50Ms, double p95Ms, double p99Ms,
      double maxMs, double cpuMsPerFrame) {}

  private final SegstreamConfig config;
  private final Topics topics;
  private final int partitions;
  private final List<RgbImage> images;
  private final FrameEncoder encoder;
  private final Duration timeout;
  private final SegstreamApp app;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Deserializer<SegmentationMask> masks;
  private final KafkaProducer<String, ImageFrame> producer;
  /** Frames sent so far; the next frame's sequence number. */
  private long sent;
  private boolean started;

  /**
   * Creates the scenario's topics and subscribes to its outputs; the processor starts with the
   * throughput phase.
   *
   * @param config the processor's settings, naming fresh topics and application id
   * @param images frames to send, cycled
   * @param timeout longest either phase may take
   */
  StreamScenario(SegstreamConfig config, Segmenter segmenter, List<RgbImage> images, ImageEncoding encoding,
      Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    this.config = config;
    this.topics = Topics.fromConfig(config);
    this.partitions = config.getInt(SegstreamConfig.TOPIC_PARTITIONS);
    this.images = images;
    this.encoder = new FrameEncoder(encoding);
    this.timeout = timeout;
    this.app = new SegstreamApp(config, segmenter);
    this.masks = AvroSerdes.fromConfig(config).forValues(SegmentationMask.class).deserializer();
    app.createMissingTopics(Duration.ofSeconds(60));
    Map<String, Object> producerSettings = new HashMap<>(config.originals());
    // A camera sends each frame as soon as it has it.
    producerSettings.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    // One request in flight: the topic is brand new, and a first batch refused while its partition is
    // still opening must not be overtaken by the next one (the broker would then refuse the retry as
    // out of sequence, for good).
    producerSettings.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    this.producer = FrameProducers.create(new SegstreamConfig(producerSettings));
    Map<String, Object> consumerProps = config.kafkaClientSettings(ConsumerConfig.configNames());
    consumerProps.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1024 * 1024);
    this.consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> outputs = new ArrayList<>();
    for (String topic : List.of(topics.masks(), topics.deadLetters())) {
      consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> outputs.add(new TopicPartition(p.topic(), p.partition())));
    }
    consumer.assign(outputs);
    consumer.seekToBeginning(outputs);
  }

  /** Produces {@code frames} frames, then starts the processor and times how fast it drains them. */
  Throughput drainBacklog(int frames) throws Exception {
    if (started) {
      throw new IllegalStateException("the backlog phase runs first, once");
    }
    for (int i = 0; i < frames; i++) {
      producer.send(next(Instant.now()));
    }
    producer.flush();
    started = true;
    long cpuStart = ProcessCpu.nanos();
    app.start();
    Arrivals arrivals = collect(frames, null);
    double cpuMsPerFrame = ProcessCpu.msPerItem(cpuStart, frames);
    double seconds = (arrivals.lastNanos - arrivals.runningNanos) / 1e9;
    return new Throughput(arrivals.masks, arrivals.deadLetters, seconds,
        seconds > 0 ? arrivals.masks / seconds : Double.NaN, cpuMsPerFrame);
  }

  /** Sends {@code frames} frames at {@code rate} per second and measures each one's latency. */
  Latency paced(double rate, int frames) throws Exception {
    if (!started) {
      throw new IllegalStateException("the processor starts in the backlog phase");
    }
    List<Double> latencies = new ArrayList<>(frames);
    long firstSeq = sent;
    long cpuStart = ProcessCpu.nanos();
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
      long start = System.nanoTime();
      for (int i = 0; i < frames; i++) {
        long due = start + (long) (i * 1e9 / rate);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
        producer.send(next(Instant.now()));
      }
      producer.flush();
    });
    Arrivals arrivals = collect(frames, mask -> {
      if (mask.getFrameSeq() >= firstSeq) {
        latencies.add((double) (System.currentTimeMillis() - mask.getCaptureTimestamp().toEpochMilli()));
      }
    });
    sending.get();
    double cpuMsPerFrame = ProcessCpu.msPerItem(cpuStart, frames);
    double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new Latency(arrivals.masks, arrivals.deadLetters, rate, PredictorThroughput.percentile(sorted, 0.50),
        PredictorThroughput.percentile(sorted, 0.95), PredictorThroughput.percentile(sorted, 0.99),
        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1], cpuMsPerFrame);
  }

  /** The next frame: round robin over partitions, one camera per partition. */
  private ProducerRecord<String, ImageFrame> next(Instant captureTime) {
    long seq = sent++;
    int partition = (int) (seq % partitions);
    String camera = "cam-" + partition;
    ImageFrame frame = encoder.frame(camera, seq, captureTime, images.get((int) (seq % images.size())),
        Map.of());
    return new ProducerRecord<>(topics.frames(), partition, camera, frame);
  }

  /** What the consumer saw: counts, when the processor was seen RUNNING, when the last mask arrived. */
  private static final class Arrivals {
    int masks;
    int deadLetters;
    long runningNanos;
    long lastNanos;
  }

  /** Reads masks and dead letters until {@code expected} of them arrived. */
  private Arrivals collect(int expected, java.util.function.Consumer<SegmentationMask> onMask)
      throws TimeoutException {
    Arrivals arrivals = new Arrivals();
    Progress progress = new Progress(System.err, expected, "frames");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (arrivals.masks + arrivals.deadLetters < expected) {
      if (System.nanoTime() > deadline) {
        progress.finish(arrivals.masks + arrivals.deadLetters);
        throw new TimeoutException("only " + arrivals.masks + " masks and " + arrivals.deadLetters
            + " dead letters of " + expected + " frames within " + timeout.toSeconds() + " s");
      }
      KafkaStreams.State state = app.streams().state();
      if (state == KafkaStreams.State.RUNNING && arrivals.runningNanos == 0) {
        arrivals.runningNanos = System.nanoTime();
      } else if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
        throw new IllegalStateException("the processor stopped (" + state + "); see the log above");
      }
      int masksBefore = arrivals.masks;
      // Short polls: the state check above times the processor's start.
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(10))) {
        if (record.topic().equals(topics.masks())) {
          arrivals.masks++;
          if (onMask != null) {
            onMask.accept(masks.deserialize(record.topic(), record.value()));
          }
        } else {
          arrivals.deadLetters++;
        }
      }
      if (arrivals.masks > masksBefore) {
        arrivals.lastNanos = System.nanoTime();
        // Threads given their partitions early may process before the whole client is RUNNING.
        if (arrivals.runningNanos == 0) {
          arrivals.runningNanos = arrivals.lastNanos;
        }
      }
      progress.update(arrivals.masks + arrivals.deadLetters);
    }
    progress.finish(arrivals.masks + arrivals.deadLetters);
    return arrivals;
  }

  @Override
  public void close() {
    try {
      app.close();
    } finally {
      producer.close();
      consumer.close();
    }
  }
}
