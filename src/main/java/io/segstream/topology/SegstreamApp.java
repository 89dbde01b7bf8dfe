package io.segstream.topology;

import io.segstream.ops.FrameMetrics;
import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.serde.AvroTrust;
import io.segstream.inference.Segmenter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segstream processor: Kafka Streams running {@link SegmentationTopology} with the given
 * {@link Segmenter}. The caller owns the segmenter and closes it after this app.
 */
public final class SegstreamApp implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SegstreamApp.class);
  /** How long close() waits for the stream threads to finish their work and commit. */
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  /** Room for a frame's metadata and record overhead above {@code max.frame.bytes}. */
  static final int RECORD_OVERHEAD_BYTES = 1024 * 1024;

  /**
   * Stream threads: they only parse, throttle, hand off and forward, so two keep up with a model of
   * any speed, and a second one keeps half the partitions moving while the other waits on a full
   * window.
   */
  public static final int STREAM_THREADS = 2;

  private final SegstreamConfig config;
  private final Segmenter segmenter;
  private final FrameMetrics metrics;
  private final Executor workers;
  private final ExecutorService ownedWorkers;
  private final FramesInFlight inFlight = new FramesInFlight();
  private KafkaStreams streams;

  public SegstreamApp(SegstreamConfig config, Segmenter segmenter) {
    this(config, segmenter, FrameMetrics.unexported());
  }

  /** Decode and post-processing run on a pool of one thread per core, owned by this app. */
  public SegstreamApp(SegstreamConfig config, Segmenter segmenter, FrameMetrics metrics) {
    this(config, segmenter, metrics, null);
  }

  /**
   * As the public constructors, with per-frame work on {@code workers} when not null (tests pass a
   * direct executor, {@code Runnable::run}, to see each frame's results as soon as it is piped in).
   */
  SegstreamApp(SegstreamConfig config, Segmenter segmenter, FrameMetrics metrics, Executor workers) {
    AvroTrust.trustGeneratedClasses();
    this.config = config;
    this.segmenter = segmenter;
    this.metrics = metrics;
    this.ownedWorkers = workers == null ? workerPool(Runtime.getRuntime().availableProcessors()) : null;
    this.workers = workers == null ? ownedWorkers : workers;
  }

  /** Daemon threads, created on demand and ended when idle, so an app never started costs none. */
  private static ExecutorService workerPool(int threads) {
    AtomicInteger number = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, "segstream-frame-worker-" + number.getAndIncrement());
          thread.setDaemon(true);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  public Topology topology() {
    return SegmentationTopology.build(config, segmenter, metrics, workers, inFlight);
  }

  /** The oldest frame in flight per partition: what the commit barrier stops at. */
  public FramesInFlight framesInFlight() {
    return inFlight;
  }

  /** Kafka Streams' clients with the commit barrier of this app (see {@link CommitBarrierClientSupplier}). */
  public CommitBarrierClientSupplier clientSupplier() {
    return new CommitBarrierClientSupplier(inFlight);
  }

  /**
   * Kafka Streams settings: segstream's choices first, then pass-through settings, which win, then
   * the poll and commit timing of {@link PollSettings} (whose poll interval never goes below its floor).
   */
  public Properties streamsProperties() {
    Topics topics = Topics.fromConfig(config);
    int maxRecordBytes = maxRecordBytes();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(SegstreamConfig.APPLICATION_ID));
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.getString(SegstreamConfig.BOOTSTRAP_SERVERS));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.getString(SegstreamConfig.PROCESSING_GUARANTEE));
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    // Frames are read as bytes, so deserialization cannot fail; should a future source deserialize,
    // a bad record is logged and sent to the dead-letter topic by Kafka Streams' own handler.
    props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProcessingExceptionHandler.class.getName());
    props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
    // Each stream thread's partition assignor builds its own StreamsConfig from the main consumer's
    // settings, which leave this key out, and warns that it is off: once per thread unless the main
    // consumer carries it too (Kafka Streams 4.4).
    props.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
    props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG,
        DeadLetterProductionExceptionHandler.class.getName());
    props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.deadLetters());
    // Dead letters carry whole frames.
    props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), maxRecordBytes);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), maxRecordBytes);
    // Batches are formed across tasks by the batcher, not by waiting threads (see STREAM_THREADS).
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, STREAM_THREADS);
    // Kafka Streams lingers 100 ms to batch its output; a mask that already waited for a model call
    // should leave at once (masks made while a send is in flight still go out together).
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
    props.putAll(config.kafkaPassThrough());
    // Poll and commit timing that a full window waiting on slow inference cannot break (see PollSettings).
    PollSettings.apply(props, config);
    return props;
  }

  /** Creates whichever of the four topics are missing (never alters existing ones). */
  public void createMissingTopics(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
    Topics topics = Topics.fromConfig(config);
    int partitions = config.getInt(SegstreamConfig.TOPIC_PARTITIONS);
    short replication = config.getShort(SegstreamConfig.TOPIC_REPLICATION_FACTOR);
    Map<String, String> frameTopicConfig =
        Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxRecordBytes()));
    try (Admin admin = Admin.create(config.kafkaClientSettings(AdminClientConfig.configNames()))) {
      Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics.all()) {
        if (!existing.contains(topic)) {
          NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), Optional.of(replication));
          if (topic.equals(topics.frames()) || topic.equals(topics.deadLetters())) {
            newTopic.configs(frameTopicConfig);
          }
          missing.add(newTopic);
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      LOG.info("creating topics {}", missing.stream().map(NewTopic::name).toList());
      try {
        admin.createTopics(missing).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
  }

  /** Creates missing topics (when {@code topics.create}) and starts processing. */
  public KafkaStreams start() throws InterruptedException, ExecutionException, TimeoutException {
    return start((now, before) -> {});
  }

  /**
   * As {@link #start()}, also telling {@code listener} of every state change (state changes are
   * logged either way: a rebalance is REBALANCING, a dead client ERROR).
   */
  public synchronized KafkaStreams start(KafkaStreams.StateListener listener)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (streams != null) {
      throw new IllegalStateException("already started");
    }
    if (config.getBoolean(SegstreamConfig.TOPICS_CREATE)) {
      createMissingTopics(Duration.ofSeconds(60));
    }
    streams = new KafkaStreams(topology(), streamsProperties(), clientSupplier());
    streams.setStateListener((now, before) -> {
      LOG.info("processor state {} -> {}", before, now);
      listener.onChange(now, before);
    });
    streams.setUncaughtExceptionHandler(
        e -> {
          // Bad records never get here (they are dead-lettered); this is the cluster or a bug, so stop
          // and let the supervisor restart the process instead of spinning on the same failure.
          LOG.error("stream thread failed; shutting down", e);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streams.start();
    return streams;
  }

  /** Waits until the streams are RUNNING; false on timeout or when they stopped instead. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      KafkaStreams.State state = streams == null ? null : streams.state();
      if (state == KafkaStreams.State.RUNNING) {
        return true;
      }
      if (state != null && !state.isRunningOrRebalancing() && state != KafkaStreams.State.CREATED) {
        return false;
      }
      Thread.sleep(50);
    }
    return false;
  }

  public synchronized KafkaStreams streams() {
    return streams;
  }

  private int maxRecordBytes() {
    return config.getInt(SegstreamConfig.MAX_FRAME_BYTES) + RECORD_OVERHEAD_BYTES;
  }

  /** Stops processing, then the worker pool (work still running for dropped frames is abandoned). */
  @Override
  public synchronized void close() {
    if (streams != null) {
      if (!streams.close(CloseOptions.timeout(CLOSE_TIMEOUT).withGroupMembershipOperation(onClose()))) {
        LOG.warn("Kafka Streams did not stop within {}; its threads may still be running:{}", CLOSE_TIMEOUT,
            streamThreadStacks());
      }
      streams = null;
    }
    if (ownedWorkers != null) {
      ownedWorkers.shutdownNow();
    }
  }

  /**
   * Dynamic members leave the group on close. Kafka Streams' default keeps them until the session
   * times out (45 s), which stalls their partitions that long and holds a thread of this very client
   * that is mid-rebalance: it waits for the members that already stopped to rejoin, past the close
   * timeout. Static members ({@code group.instance.id}) stay, as static membership intends.
   */
  GroupMembershipOperation onClose() {
    // Only a pass-through setting can make a member static; building streamsProperties() again would
    // repeat PollSettings' warnings.
    Map<String, Object> passThrough = config.kafkaPassThrough();
    String key = ConsumerConfig.GROUP_INSTANCE_ID_CONFIG;
    boolean staticMember = passThrough.get(key) != null || passThrough.get(StreamsConfig.consumerPrefix(key)) != null
        || passThrough.get(StreamsConfig.mainConsumerPrefix(key)) != null;
    return staticMember ? GroupMembershipOperation.DEFAULT : GroupMembershipOperation.LEAVE_GROUP;
  }

  /** Where each thread of this application is, for the warning about a close that did not finish. */
  private String streamThreadStacks() {
    String prefix = config.getString(SegstreamConfig.APPLICATION_ID);
    StringBuilder stacks = new StringBuilder();
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      if (thread.getName().startsWith(prefix)) {
        stacks.append(System.lineSeparator()).append(thread.getName()).append(' ').append(thread.getState());
        for (StackTraceElement frame : stack) {
          stacks.append(System.lineSeparator()).append("    at ").append(frame);
        }
      }
    });
    return stacks.toString();
  }
}
