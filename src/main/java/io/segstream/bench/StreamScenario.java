package io.segstream.bench;

import io.segstream.bench.StreamBenchResult.BatcherFigures;
import io.segstream.bench.StreamBenchResult.DrainPhase;
import io.segstream.bench.StreamBenchResult.PacedPhase;
import io.segstream.bench.StreamBenchResult.Spread;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.contracts.serde.SkippingReader;
import io.segstream.image.FrameEncoder;
import io.segstream.image.RgbImage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segstream.inference.Segmenter;
import io.segstream.ops.FrameMetrics;
import io.segstream.ops.InferenceMetrics;
import io.segstream.ops.Percentiles;
import io.segstream.ops.ProgressBar;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One processor configuration driven through a real broker, in two phases:
 *
 * <ol>
 *   <li><b>Throughput</b>: a backlog of frames is produced to a fresh frames topic before the
 *       processor starts; how fast its model calls get through the backlog is its capacity, counted
 *       after the first warm-up frames (JIT compilation and first-call costs are a startup transient,
 *       not the steady state). See {@link ModelCallWindow} for why model calls, not mask arrivals.
 *   <li><b>Latency</b>: frames are then sent one by one at a fixed rate below that capacity, each
 *       stamped with its capture time as it is sent; latency is capture time to the mask's arrival at
 *       a consumer. Measured under backlog, latency would only tell how long the queue was.
 * </ol>
 *
 * <p>Frames go round robin over the topic's partitions, one camera (record key) per partition, so
 * every stream thread gets work. Each distinct image is encoded once and its bytes sent again and
 * again: a camera encodes on its own hardware, not on the machine under test.
 */
final class StreamScenario implements AutoCloseable {

  /** Kafka Streams' per-thread metric of time spent blocked on Kafka (KIP-761). */
  private static final String BLOCKED_TIME_METRIC = "blocked-time-ns-total";

  private final SegstreamConfig config;
  private final MeterRegistry inferenceMeters;
  private final LongSupplier deviceBusyNanos;
  private final LongSupplier brokerCpuNanos;
  private final Topics topics;
  private final int partitions;
  private final List<RgbImage> images;
  /** Each of {@code images} encoded as {@code encoding}, in the same order. */
  private final List<byte[]> encodedImages;
  private final ImageEncoding encoding;
  private final Duration timeout;
  private final ModelCallWindow<Mark> modelCalls;
  /** The processor's frame metrics: its stream threads' waits on a full window. */
  private final MeterRegistry frameMeters = new SimpleMeterRegistry();
  private final int streamThreads;
  private final SegstreamApp app;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final SkippingReader<SegmentationMask> masks;
  private final BenchCameras cameras;
  /** The first frame send that failed, if any. */
  private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
  /** Frames sent so far; the next frame's sequence number. */
  private long sent;
  /** Dead letters read so far, over both phases. */
  private int deadLetters;
  private boolean started;
  /** Whether the frames topic stamps frames on append: latency from the topic is known. */
  private final boolean framesStampedOnAppend;

  /**
   * Creates the scenario's topics and subscribes to its outputs; the processor starts with the
   * throughput phase.
   *
   * @param config the processor's settings, naming fresh topics and application id
   * @param inferenceMeters where the segmenter's {@link InferenceMetrics} go, for the batcher's
   *     figures of each phase; null for a segmenter without them
   * @param deviceBusyNanos the device's busy time so far, for its busy fraction; null when unknown
   * @param brokerCpuNanos CPU time the broker's own process has used so far (-1 when unknown); null when
   *     the broker runs in this process, whose CPU figures then hold it
   * @param images frames to send, cycled
   * @param timeout longest either phase may take
   */
  StreamScenario(SegstreamConfig config, Segmenter segmenter, MeterRegistry inferenceMeters,
      LongSupplier deviceBusyNanos, LongSupplier brokerCpuNanos, List<RgbImage> images, ImageEncoding encoding,
      Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    this.config = config;
    this.inferenceMeters = inferenceMeters;
    this.deviceBusyNanos = deviceBusyNanos;
    this.brokerCpuNanos = brokerCpuNanos;
    this.topics = Topics.fromConfig(config);
    this.partitions = config.getInt(SegstreamConfig.TOPIC_PARTITIONS);
    this.images = images;
    this.encoding = encoding;
    FrameEncoder encoder = new FrameEncoder(encoding);
    this.encodedImages = images.stream().map(encoder::encode).toList();
    this.timeout = timeout;
    this.modelCalls = new ModelCallWindow<>(segmenter, this::mark);
    this.app = new SegstreamApp(config, modelCalls, new FrameMetrics(frameMeters));
    this.streamThreads = Integer.parseInt(
        String.valueOf(app.streamsProperties().get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
    this.masks = SkippingReader.of(AvroSerdes.fromConfig(config), topics.masks(), SegmentationMask.class);
    app.createMissingTopics(Duration.ofSeconds(60));
    this.framesStampedOnAppend = stampFramesOnAppend();
    this.cameras = new BenchCameras(config, partitions);
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

  /** Where a phase's figures are measured from: when, and the counters then. */
  private record Mark(long nanos, long cpuNanos, long jitMillis, InferenceMetrics.Totals batches, long busyNanos,
      ProcessCpu.MachineTicks machine, long windowWaitNanos, double kafkaBlockedNanos,
      Map<Long, Long> allocatedBytes, long brokerCpuNanos) {}

  private Mark mark() {
    return new Mark(System.nanoTime(), ProcessCpu.nanos(), ProcessCpu.jitMillis(),
        inferenceMeters == null ? null : InferenceMetrics.totals(inferenceMeters),
        deviceBusyNanos == null ? -1 : deviceBusyNanos.getAsLong(), ProcessCpu.machineTicks(),
        (long) frameMeters.get(FrameMetrics.WINDOW_WAIT).timer().totalTime(TimeUnit.NANOSECONDS), kafkaBlockedNanos(),
        ProcessCpu.allocatedBytesByThread(), brokerCpuNanos == null ? -1 : brokerCpuNanos.getAsLong());
  }

  /**
   * Time the stream threads have spent blocked on Kafka so far (waiting in the consumer's poll for
   * records, and on the clients' requests), from Kafka Streams' own thread metric; NaN when unknown.
   */
  private double kafkaBlockedNanos() {
    double nanos = 0;
    boolean found = false;
    for (Map.Entry<MetricName, ? extends Metric> metric : app.streams().metrics().entrySet()) {
      if (metric.getKey().name().equals(BLOCKED_TIME_METRIC)
          && metric.getValue().metricValue() instanceof Number value) {
        nanos += value.doubleValue();
        found = true;
      }
    }
    return found ? nanos : Double.NaN;
  }

  /**
   * Produces {@code warmUp + frames} frames, then starts the processor and times how fast its model
   * calls get through the last {@code frames}: the first ones only warm up the JIT compiler, Kafka and
   * TensorFlow. CPU and batcher figures run from the measured window's start to the last mask.
   */
  DrainPhase drainBacklog(int warmUp, int frames) throws Exception {
    if (started) {
      throw new IllegalStateException("the backlog phase runs first, once");
    }
    for (int i = 0; i < warmUp + frames; i++) {
      send(next(Instant.now()));
    }
    cameras.flush();
    started = true;
    modelCalls.measureFrom(warmUp);
    app.start();
    Arrivals arrivals = collect(warmUp + frames, warmUp, null);
    int arrived = arrivals.masks - arrivals.masksAtMark;
    double arrivalSeconds = (arrivals.lastNanos - arrivals.markNanos) / 1e9;
    ModelCallWindow.Window<Mark> window = modelCalls.window();
    if (window == null || window.frames() == 0) {
      return new DrainPhase(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, Double.NaN, Double.NaN, Double.NaN,
          Double.NaN, Double.NaN, Double.NaN);
    }
    Mark start = window.start();
    Mark end = mark();
    return new DrainPhase(window.frames(), window.framesPerSecond(),
        arrivalSeconds > 0 ? arrived / arrivalSeconds : Double.NaN,
        ProcessCpu.msPerItem(start.cpuNanos(), window.frames()),
        start.jitMillis() < 0 ? Double.NaN : (end.jitMillis() - start.jitMillis()) / (double) window.frames(),
        batcherSince(start, end), busyFraction(start, end, window.endNanos()), machineBusy(start, end),
        threadShare(start, end, Mark::windowWaitNanos), threadShare(start, end, Mark::kafkaBlockedNanos),
        ProcessCpu.kbPerItem(start.allocatedBytes(), end.allocatedBytes(), window.frames()),
        brokerCpuMsPerFrame(start, end, window.frames()));
  }

  /** Sends {@code frames} frames at {@code rate} per second and measures each one's latency. */
  PacedPhase paced(double rate, int frames) throws Exception {
    if (!started) {
      throw new IllegalStateException("the processor starts in the backlog phase");
    }
    cameras.pipeline();
    List<Double> latencies = new ArrayList<>(frames);
    List<Double> fromTopic = new ArrayList<>(frames);
    List<Double> processing = new ArrayList<>(frames);
    List<Double> modelCalls = new ArrayList<>(frames);
    long firstSeq = sent;
    Mark start = mark();
    CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
      long begin = System.nanoTime();
      for (int i = 0; i < frames; i++) {
        long due = begin + (long) (i * 1e9 / rate);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
          LockSupport.parkNanos(wait);
        }
        send(next(Instant.now()));
      }
      cameras.flush();
    });
    Arrivals arrivals = collect(frames, 0, (mask, appendedAt) -> {
      if (mask.getFrameSeq() >= firstSeq) {
        long now = System.currentTimeMillis();
        latencies.add((double) (now - mask.getCaptureTimestamp().toEpochMilli()));
        if (framesStampedOnAppend) {
          fromTopic.add((double) (now - appendedAt));
        }
        processing.add(mask.getProcessingLatencyMs());
        modelCalls.add(mask.getInferenceLatencyMs());
      }
    });
    sending.get();
    Mark end = mark();
    double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new PacedPhase(arrivals.masks, rate, Percentiles.of(sorted, 0.50),
        Percentiles.of(sorted, 0.95), Percentiles.of(sorted, 0.99),
        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1], ProcessCpu.msPerItem(start.cpuNanos(), frames),
        batcherSince(start, end), busyFraction(start, end, end.nanos()), machineBusy(start, end),
        Spread.of(fromTopic), Spread.of(processing), Spread.of(modelCalls), brokerCpuMsPerFrame(start, end, frames));
  }

  /** Dead letters read so far, over both phases. */
  int deadLetters() {
    return deadLetters;
  }

  /**
   * Has the broker stamp each frame with its append time (the mask inherits the frame's timestamp), so
   * that latency can also be read from the frames topic on, leaving out the camera's own way in. Only
   * the timestamp changes: the processor reads capture times from the frame. A cluster that refuses
   * (no right to alter topic configs) leaves that figure unknown, not wrong.
   */
  private boolean stampFramesOnAppend() throws InterruptedException {
    ConfigResource frames = new ConfigResource(ConfigResource.Type.TOPIC, topics.frames());
    AlterConfigOp logAppendTime = new AlterConfigOp(
        new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, TimestampType.LOG_APPEND_TIME.name), AlterConfigOp.OpType.SET);
    try (Admin admin = newAdmin()) {
      admin.incrementalAlterConfigs(Map.of(frames, List.of(logAppendTime))).all().get(30, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("latency from the frames topic stays unknown: could not set " + topics.frames() + " to "
          + TimestampType.LOG_APPEND_TIME.name + ": " + e);
      return false;
    }
  }

  /** An admin client on the scenario's cluster, for its topics and offsets. */
  private Admin newAdmin() {
    return Admin.create(config.kafkaClientSettings(AdminClientConfig.configNames()));
  }

  /** Sends a frame; a send that fails ends the scenario at the next check instead of leaving a frame to wait for. */
  private void send(ProducerRecord<String, ImageFrame> frame) {
    cameras.send(frame, (metadata, error) -> {
      if (error != null) {
        sendFailure.compareAndSet(null, error);
      }
    });
  }

  private void checkSends() {
    Exception failure = sendFailure.get();
    if (failure != null) {
      throw new IllegalStateException("a frame could not be sent to " + topics.frames() + ": " + failure, failure);
    }
  }

  /**
   * What the processor had done when masks stopped coming: its state, the frames topic's end offsets
   * and the group's committed offsets, so a timeout says whether frames were never read or never answered.
   */
  private String progressReport() {
    StringBuilder report = new StringBuilder("; processor ").append(app.streams().state());
    try (Admin admin = newAdmin()) {
      List<TopicPartition> frames = new ArrayList<>();
      for (int partition = 0; partition < partitions; partition++) {
        frames.add(new TopicPartition(topics.frames(), partition));
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      frames.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
      Map<TopicPartition, Long> ends = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
      admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS)
          .forEach((partition, info) -> ends.put(partition, info.offset()));
      Map<TopicPartition, Long> committed = new TreeMap<>(Comparator.comparing(TopicPartition::toString));
      admin.listConsumerGroupOffsets(config.getString(SegstreamConfig.APPLICATION_ID))
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
          .forEach((partition, offset) -> committed.put(partition, offset == null ? null : offset.offset()));
      report.append(", frames topic end offsets ").append(ends).append(", committed ").append(committed);
    } catch (Exception e) {
      report.append(" (offsets unavailable: ").append(e).append(')');
    }
    if (inferenceMeters != null) {
      report.append(", inference ").append(InferenceMetrics.totals(inferenceMeters));
    }
    return report.toString();
  }

  /** The next frame: round robin over partitions, one camera per partition. */
  private ProducerRecord<String, ImageFrame> next(Instant captureTime) {
    long seq = sent++;
    int partition = (int) (seq % partitions);
    String camera = "cam-" + partition;
    int index = (int) (seq % images.size());
    RgbImage image = images.get(index);
    ImageFrame frame = FrameEncoder.encoded(camera, seq, captureTime, encoding, encodedImages.get(index),
        image.width(), image.height(), Map.of());
    return new ProducerRecord<>(topics.frames(), partition, camera, frame);
  }

  /**
   * Device busy time between two marks over the wall time from the first to {@code untilNanos} (the
   * device is idle from then to the second mark); NaN when unknown.
   */
  private static double busyFraction(Mark from, Mark to, long untilNanos) {
    return from.busyNanos() < 0 || untilNanos <= from.nanos() ? Double.NaN
        : (to.busyNanos() - from.busyNanos()) / (double) (untilNanos - from.nanos());
  }

  /**
   * The share of the stream threads' time between two marks spent as {@code waitedNanos} counts (a
   * running total over all stream threads).
   */
  private double threadShare(Mark from, Mark to, ToDoubleFunction<Mark> waitedNanos) {
    long wallNanos = to.nanos() - from.nanos();
    return wallNanos <= 0 ? Double.NaN
        : (waitedNanos.applyAsDouble(to) - waitedNanos.applyAsDouble(from)) / ((double) streamThreads * wallNanos);
  }

  /** The broker process's CPU milliseconds per frame between two marks; NaN when unknown. */
  private static double brokerCpuMsPerFrame(Mark from, Mark to, int frames) {
    return from.brokerCpuNanos() < 0 || to.brokerCpuNanos() < 0 || frames <= 0 ? Double.NaN
        : (to.brokerCpuNanos() - from.brokerCpuNanos()) / 1e6 / frames;
  }

  private static double machineBusy(Mark from, Mark to) {
    return to.machine() == null ? Double.NaN : to.machine().busySince(from.machine());
  }

  private static BatcherFigures batcherSince(Mark from, Mark to) {
    return from.batches() == null ? null : BatcherFigures.of(to.batches().minus(from.batches()));
  }

  /** What the consumer saw: counts, when the count started (the mark), when the last mask arrived. */
  private static final class Arrivals {
    int masks;
    int deadLetters;
    long markNanos;
    int masksAtMark;
    long lastNanos;

    void mark(long nanos) {
      markNanos = nanos;
      masksAtMark = masks;
    }
  }

  /**
   * Reads masks and dead letters until {@code expected} of them arrived. The measurement starts
   * once {@code warmUp} arrived, or with {@code warmUp} 0 when the processor starts (seen RUNNING,
   * or its first masks arrive, whichever comes first).
   */
  private Arrivals collect(int expected, int warmUp, BiConsumer<SegmentationMask, Long> onMask)
      throws TimeoutException {
    Arrivals arrivals = new Arrivals();
    ProgressBar progress = ProgressBar.onConsole(System.err, "frames", expected);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (arrivals.masks + arrivals.deadLetters < expected) {
      long pollStart = System.nanoTime();
      if (pollStart > deadline) {
        progress.finish(arrivals.masks + arrivals.deadLetters);
        throw new TimeoutException("only " + arrivals.masks + " masks and " + arrivals.deadLetters
            + " dead letters of " + expected + " frames within " + timeout.toSeconds() + " s" + progressReport());
      }
      checkSends();
      KafkaStreams.State state = app.streams().state();
      if (!state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
        throw new IllegalStateException("the processor stopped (" + state + "); see the log above");
      }
      if (warmUp == 0 && arrivals.markNanos == 0 && state == KafkaStreams.State.RUNNING) {
        arrivals.mark(pollStart);
      }
      int masksBefore = arrivals.masks;
      // Short polls: the state check above times the processor's start.
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(10))) {
        if (record.topic().equals(topics.masks())) {
          // A record that is not a mask answers no frame: the wait goes on for the real ones.
          SegmentationMask mask = masks.read(record);
          if (mask == null) {
            continue;
          }
          arrivals.masks++;
          if (onMask != null) {
            // The mask record keeps its frame's timestamp: the append to the frames topic.
            onMask.accept(mask, record.timestamp());
          }
        } else {
          arrivals.deadLetters++;
        }
      }
      if (arrivals.masks > masksBefore) {
        arrivals.lastNanos = System.nanoTime();
        if (warmUp == 0 && arrivals.markNanos == 0) {
          // Threads given their partitions early may process before the whole client is RUNNING.
          arrivals.mark(pollStart);
          arrivals.masksAtMark = masksBefore;
        }
      }
      if (warmUp > 0 && arrivals.markNanos == 0 && arrivals.masks + arrivals.deadLetters >= warmUp) {
        arrivals.mark(System.nanoTime());
      }
      progress.update(arrivals.masks + arrivals.deadLetters);
    }
    progress.finish(arrivals.masks + arrivals.deadLetters);
    deadLetters += arrivals.deadLetters;
    return arrivals;
  }

  /** The masks topic's records that were not masks, as {@link SkippingReader#report()} says; empty when none. */
  Optional<String> unreadableReport() {
    return masks.report();
  }

  @Override
  public void close() {
    try {
      app.close();
    } finally {
      cameras.close();
      consumer.close();
      deleteTopics();
    }
  }

  /**
   * Deletes the scenario's topics: a run's scenarios and warm-up rounds would otherwise leave gigabytes
   * of frames in the broker (11,000 RAW 128x128 frames are 540 MB), written back to disk on the cores
   * that the next scenario is measured on.
   */
  private void deleteTopics() {
    try (Admin admin = newAdmin()) {
      admin.deleteTopics(topics.all()).all().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      System.err.println("could not delete the scenario's topics " + topics.all() + ": " + e);
    }
  }
}
