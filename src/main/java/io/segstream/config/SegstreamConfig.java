package io.segstream.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every segstream setting, one documented constant each (Kafka's {@link ConfigDef} style).
 *
 * <p>Sources, later wins: defaults, a properties file, then environment variables. A key's variable
 * is {@code SEGSTREAM_} + the key upper-cased with dots as underscores ({@code topic.frames} is
 * {@code SEGSTREAM_TOPIC_FRAMES}). Keys segstream does not define are Kafka client/Streams settings
 * and are passed through unchanged; from the environment they are {@code SEGSTREAM_KAFKA_} + the key
 * ({@code SEGSTREAM_KAFKA_SECURITY_PROTOCOL=SSL} is {@code security.protocol=SSL}).
 */
public final class SegstreamConfig extends AbstractConfig {

  private static final Logger LOG = LoggerFactory.getLogger(SegstreamConfig.class);

  public static final String ENV_PREFIX = "SEGSTREAM_";
  public static final String ENV_KAFKA_PREFIX = "SEGSTREAM_KAFKA_";

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String APPLICATION_ID = "application.id";
  public static final String PROCESSING_GUARANTEE = "processing.guarantee";
  public static final String TOPIC_FRAMES = "topic.frames";
  public static final String TOPIC_MASKS = "topic.masks";
  public static final String TOPIC_AREAS = "topic.areas";
  public static final String TOPIC_DLQ = "topic.dlq";
  public static final String TOPICS_CREATE = "topics.create";
  public static final String TOPIC_PARTITIONS = "topic.partitions";
  public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";
  public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
  // Schema registry credentials and TLS: the names Confluent's serdes use, so existing settings work.
  public static final String REGISTRY_BASIC_AUTH_SOURCE = "basic.auth.credentials.source";
  public static final String REGISTRY_BASIC_AUTH_USER_INFO = "basic.auth.user.info";
  public static final String REGISTRY_BEARER_AUTH_SOURCE = "bearer.auth.credentials.source";
  public static final String REGISTRY_BEARER_AUTH_TOKEN = "bearer.auth.token";
  /** Prefix of the registry's TLS settings; what follows it is the Kafka {@code ssl.*} key of the same meaning. */
  public static final String REGISTRY_SSL_PREFIX = "schema.registry.";
  public static final String REGISTRY_SSL_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
  public static final String REGISTRY_SSL_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
  public static final String REGISTRY_SSL_TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
  public static final String REGISTRY_SSL_KEYSTORE_LOCATION = "schema.registry.ssl.keystore.location";
  public static final String REGISTRY_SSL_KEYSTORE_PASSWORD = "schema.registry.ssl.keystore.password";
  public static final String REGISTRY_SSL_KEYSTORE_TYPE = "schema.registry.ssl.keystore.type";
  public static final String REGISTRY_SSL_KEY_PASSWORD = "schema.registry.ssl.key.password";
  public static final String MODEL_DIR = "model.dir";
  /** The model the checkout and the image ship; the CLI finds it from any working directory. */
  public static final String DEFAULT_MODEL_DIR = "models/fcn-default";
  public static final String DEVICES = "devices";
  public static final String INSTANCES_PER_DEVICE = "instances.per.device";
  public static final String MAX_BATCH_SIZE = "max.batch.size";
  public static final String MAX_QUEUE_DELAY_MS = "max.queue.delay.ms";
  public static final String DISPATCH_WHEN_DEVICE_IDLE = "dispatch.when.device.idle";
  public static final String MAX_FRAMES_IN_FLIGHT = "max.frames.in.flight";
  /** Batches per task window when {@link #MAX_FRAMES_IN_FLIGHT} is derived (see {@link #framesInFlight()}). */
  static final int WINDOW_BATCHES = 2;
  public static final String QUEUE_CAPACITY = "queue.capacity";
  public static final String INFERENCE_TIMEOUT_MS = "inference.timeout.ms";
  /**
   * segstream's name for {@link #INFERENCE_TIMEOUT_MS} before it was renamed: it is Kafka's client
   * request timeout and now reaches the Kafka clients as such.
   */
  static final String FORMER_INFERENCE_TIMEOUT_KEY = "request.timeout.ms";
  public static final String TF_INTRA_OP_THREADS = "tf.intra.op.threads";
  public static final String TF_INTER_OP_THREADS = "tf.inter.op.threads";
  public static final String TF_THREAD_SPINNING = "tf.thread.spinning";
  public static final String MAX_FRAME_BYTES = "max.frame.bytes";
  public static final String MAX_FRAME_PIXELS = "max.frame.pixels";
  public static final String HTTP_PORT = "http.port";
  public static final String MAX_FPS_PER_STREAM = "max.fps.per.stream";
  public static final String MODEL_POLL_MS = "model.poll.ms";
  public static final String MODEL_RETRIES = "model.retries";
  public static final String MODEL_RETRY_BACKOFF_MS = "model.retry.backoff.ms";
  public static final String VIEW_PORT = "view.port";
  public static final String VIEW_BIND_ADDRESS = "view.bind.address";
  public static final String VIEW_AUTH_TOKEN = "view.auth.token";
  public static final String VIEW_TLS_KEYSTORE_LOCATION = "view.tls.keystore.location";
  public static final String VIEW_TLS_KEYSTORE_PASSWORD = "view.tls.keystore.password";
  public static final String VIEW_STALE_MS = "view.stale.ms";
  public static final String VIEW_METRICS_URL = "view.metrics.url";

  public static final ConfigDef CONFIG =
      new ConfigDef()
          .define(BOOTSTRAP_SERVERS, Type.STRING, "localhost:9092", Importance.HIGH,
              "Kafka bootstrap servers.")
          .define(APPLICATION_ID, Type.STRING, "segstream", Importance.HIGH,
              "Kafka Streams application id: the consumer group and the prefix of internal topics.")
          .define(PROCESSING_GUARANTEE, Type.STRING, "at_least_once",
              ValidString.in("at_least_once", "exactly_once_v2"), Importance.HIGH,
              "Kafka Streams processing guarantee: at_least_once or exactly_once_v2.")
          .define(TOPIC_FRAMES, Type.STRING, "frames", Importance.HIGH,
              "Input topic of ImageFrame events, keyed by stream id.")
          .define(TOPIC_MASKS, Type.STRING, "masks", Importance.HIGH,
              "Output topic of SegmentationMask events.")
          .define(TOPIC_AREAS, Type.STRING, "class-areas", Importance.HIGH,
              "Output topic of ClassAreas events.")
          .define(TOPIC_DLQ, Type.STRING, "frames-dlq", Importance.HIGH,
              "Dead-letter topic: the original record bytes, with the reason in headers.")
          .define(TOPICS_CREATE, Type.BOOLEAN, true, Importance.MEDIUM,
              "Create the four topics at start when they are missing.")
          .define(TOPIC_PARTITIONS, Type.INT, 8, Range.atLeast(1), Importance.MEDIUM,
              "Partitions of topics segstream creates: how many processor instances (and stream threads) can share the frames. Batches are independent of it.")
          .define(TOPIC_REPLICATION_FACTOR, Type.SHORT, (short) -1, Importance.MEDIUM,
              "Replication factor of topics segstream creates; -1 takes the broker's default.")
          .define(SCHEMA_REGISTRY_URL, Type.STRING, "", Importance.MEDIUM,
              "Confluent-compatible schema registry (e.g. Apicurio's ccompat API). Empty: Avro single-object encoding, no registry.")
          .define(REGISTRY_BASIC_AUTH_SOURCE, Type.STRING, "URL", ValidString.in("URL", "USER_INFO"), Importance.MEDIUM,
              "Where the registry's HTTP basic credentials come from: URL (user:password@ in schema.registry.url, if there) or USER_INFO (basic.auth.user.info).")
          .define(REGISTRY_BASIC_AUTH_USER_INFO, Type.PASSWORD, null, Importance.MEDIUM,
              "Registry basic credentials as user:password, used when basic.auth.credentials.source is USER_INFO.")
          .define(REGISTRY_BEARER_AUTH_SOURCE, Type.STRING, "", ValidString.in("", "STATIC_TOKEN"), Importance.MEDIUM,
              "STATIC_TOKEN: send bearer.auth.token to the registry as a bearer token (instead of basic credentials). Empty: no token.")
          .define(REGISTRY_BEARER_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
              "The registry's bearer token, used when bearer.auth.credentials.source is STATIC_TOKEN.")
          .define(REGISTRY_SSL_TRUSTSTORE_LOCATION, Type.STRING, "", Importance.MEDIUM,
              "Truststore of the CA certificates an https registry is checked against. Empty: the JVM's default CAs.")
          .define(REGISTRY_SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
              "Password of schema.registry.ssl.truststore.location.")
          .define(REGISTRY_SSL_TRUSTSTORE_TYPE, Type.STRING, "JKS", Importance.LOW,
              "Type of the registry truststore: JKS, PKCS12 or PEM (as Kafka's ssl.truststore.type).")
          .define(REGISTRY_SSL_KEYSTORE_LOCATION, Type.STRING, "", Importance.MEDIUM,
              "Keystore with the client certificate and key for a registry that requires mutual TLS. Empty: none.")
          .define(REGISTRY_SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
              "Password of schema.registry.ssl.keystore.location.")
          .define(REGISTRY_SSL_KEYSTORE_TYPE, Type.STRING, "JKS", Importance.LOW,
              "Type of the registry keystore: JKS, PKCS12 or PEM (as Kafka's ssl.keystore.type).")
          .define(REGISTRY_SSL_KEY_PASSWORD, Type.PASSWORD, null, Importance.LOW,
              "Password of the private key in the registry keystore, when it differs from the keystore's.")
          .define(MODEL_DIR, Type.STRING, DEFAULT_MODEL_DIR, Importance.HIGH,
              "Directory holding the SavedModel and its segstream-model.properties. Relative: to the working directory;"
                  + " the default, when the working directory has none, is the installation's ($SEGSTREAM_HOME, or beside or above segstream.jar).")
          .define(DEVICES, Type.STRING, "auto", Importance.MEDIUM,
              "Where model instances run: auto, cpu, or a list such as gpu:0,gpu:1.")
          .define(INSTANCES_PER_DEVICE, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
              "Model instances (each with its own predictor) per device. 0: 2 on a GPU (one batch computes while another's inputs and results move), 1 on the CPU (more would only split the cores).")
          .define(MAX_BATCH_SIZE, Type.INT, 8, Range.atLeast(1), Importance.MEDIUM,
              "Most frames the dynamic batcher puts in one model call.")
          .define(MAX_QUEUE_DELAY_MS, Type.INT, 5, Range.atLeast(0), Importance.MEDIUM,
              "Longest a frame waits in the batcher for others to join its batch.")
          .define(DISPATCH_WHEN_DEVICE_IDLE, Type.BOOLEAN, false, Importance.LOW,
              "Whether a batch goes as soon as its device runs nothing, however few frames it holds, instead of waiting up to max.queue.delay.ms for more: an idle device gains nothing from the wait, frames that arrive while it runs form the next batch, and batches grow with the load."
                  + " Costs device time at low load (each batch pays the device's fixed cost per call). false: batches wait for max.batch.size frames or max.queue.delay.ms, as Triton's dynamic batcher does.")
          .define(MAX_FRAMES_IN_FLIGHT, Type.INT, 0, Range.atLeast(0), Importance.MEDIUM,
              "Most frames of one partition (stream task) being decoded, segmented or post-processed and not yet forwarded; a full window makes the stream thread wait for the oldest. Bounds memory and what a crash reprocesses."
                  + " 0 derives it: " + WINDOW_BATCHES + " x max.batch.size (16 at the default batch of 8), so one task alone can fill a batch while the previous one is post-processed.")
          .define(QUEUE_CAPACITY, Type.INT, 64, Range.atLeast(1), Importance.LOW,
              "Frames the batcher queues before callers block (backpressure).")
          .define(INFERENCE_TIMEOUT_MS, Type.INT, 30_000, Range.atLeast(1), Importance.LOW,
              "Longest a frame may wait for queue space and its result together; then it fails to the dead-letter topic.")
          .define(MODEL_RETRIES, Type.INT, 2, Range.between(0, 10), Importance.MEDIUM,
              "Further attempts for a frame whose inference failed (model error, timeout, out of memory) before it goes to the dead-letter topic.")
          .define(MODEL_RETRY_BACKOFF_MS, Type.LONG, 100L, Range.between(0L, 60_000L), Importance.LOW,
              "Wait before the first retry of a failed inference; doubles for each further retry.")
          .define(TF_INTRA_OP_THREADS, Type.INT, 0, Range.atLeast(0), Importance.LOW,
              "TensorFlow intra-op threads; 0 derives it from cores and instances.")
          .define(TF_INTER_OP_THREADS, Type.INT, 0, Range.atLeast(0), Importance.LOW,
              "TensorFlow inter-op threads; 0 derives it from cores and instances.")
          .define(TF_THREAD_SPINNING, Type.BOOLEAN, false, Importance.LOW,
              "Whether TensorFlow's idle intra-op threads spin-wait for work (TensorFlow's default) instead of sleeping. Off: spinning took the cores that decoding, mask encoding and Kafka need, about 1.1 ms of CPU per 640x360 frame on 2 cores.")
          .define(MAX_FRAME_BYTES, Type.INT, 8 * 1024 * 1024, Range.atLeast(1), Importance.MEDIUM,
              "Largest encoded frame accepted; larger ones go to the dead-letter topic.")
          .define(MAX_FRAME_PIXELS, Type.LONG, 4096L * 4096L, Range.atLeast(1), Importance.MEDIUM,
              "Largest width*height accepted, checked from the image header before decoding.")
          .define(MODEL_POLL_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
              "How often model.dir is checked for a newer numbered version folder to hot-swap in; 0: never.")
          .define(MAX_FPS_PER_STREAM, Type.DOUBLE, 0.0, Range.atLeast(0), Importance.MEDIUM,
              "Most frames per second processed per camera (by capture time); extra frames are skipped. 0: no cap.")
          .define(HTTP_PORT, Type.INT, 8080, Range.between(0, 65535), Importance.LOW,
              "Port of the health and Prometheus metrics endpoints; 0 picks a free port.")
          // The live view serves camera frames, which are private: loopback unless configured.
          .define(VIEW_PORT, Type.INT, 8081, Range.between(0, 65535), Importance.LOW,
              "Port of the live view (segstream view); 0 picks a free port.")
          .define(VIEW_BIND_ADDRESS, Type.STRING, "127.0.0.1", Importance.MEDIUM,
              "Address the live view listens on. Frames are private: loopback by default; any other address needs view.auth.token.")
          .define(VIEW_AUTH_TOKEN, Type.PASSWORD, null, Importance.MEDIUM,
              "Secret the live view asks for, as a bearer token or as the password of HTTP basic auth (any user name). Empty: no authentication (loopback only).")
          .define(VIEW_TLS_KEYSTORE_LOCATION, Type.STRING, "", Importance.MEDIUM,
              "Keystore (PKCS12 or JKS) with the live view's TLS key and certificate. Empty: plain HTTP.")
          .define(VIEW_TLS_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
              "Password of view.tls.keystore.location (and of its key).")
          .define(VIEW_STALE_MS, Type.LONG, 5_000L, Range.atLeast(1), Importance.LOW,
              "The live view shows a camera as stale when no mask came from it for this long.")
          .define(VIEW_METRICS_URL, Type.STRING, "http://localhost:8080/metrics", Importance.LOW,
              "The processor's /metrics, which the live view reads for frames/s and batch size. Empty: not shown.");

  public SegstreamConfig(Map<?, ?> props) {
    super(CONFIG, props, false);
  }

  /** Defaults, then the file (if any), then environment overrides, then {@code overrides}. */
  public static SegstreamConfig load(
      Path propertiesFile, Map<String, String> env, Map<String, String> overrides) throws IOException {
    Map<String, Object> props = new HashMap<>(load(propertiesFile, env).originals());
    props.putAll(overrides);
    return new SegstreamConfig(props);
  }

  /** Defaults, then the file (if any), then environment overrides. */
  public static SegstreamConfig load(Path propertiesFile, Map<String, String> env) throws IOException {
    Map<String, Object> props = new HashMap<>();
    if (propertiesFile != null) {
      Properties file = new Properties();
      try (InputStream in = Files.newInputStream(propertiesFile)) {
        file.load(in);
      }
      file.forEach((k, v) -> props.put(k.toString(), v.toString()));
      if (file.containsKey(FORMER_INFERENCE_TIMEOUT_KEY)) {
        LOG.warn(formerKeyNotice(propertiesFile + " sets " + FORMER_INFERENCE_TIMEOUT_KEY,
            "it is passed to the Kafka clients as their request timeout"));
      }
    }
    if (env.containsKey(envVar(FORMER_INFERENCE_TIMEOUT_KEY))) {
      LOG.warn(formerKeyNotice(envVar(FORMER_INFERENCE_TIMEOUT_KEY), "segstream no longer reads it (Kafka's "
          + "request timeout is " + ENV_KAFKA_PREFIX + "REQUEST_TIMEOUT_MS)"));
    }
    props.putAll(fromEnvironment(env));
    return new SegstreamConfig(props);
  }

  /**
   * What a user hears who still sets {@code request.timeout.ms} (in a file) or its variable, from when
   * it was segstream's inference timeout: {@code setting} says where, {@code effect} what it does now.
   */
  static String formerKeyNotice(String setting, String effect) {
    return setting + ": " + effect + ". segstream's inference timeout (queue wait plus model call per frame) is "
        + INFERENCE_TIMEOUT_MS + " (" + envVar(INFERENCE_TIMEOUT_MS) + "); before segstream 0.2 it was called "
        + FORMER_INFERENCE_TIMEOUT_KEY + ". Rename the setting if the inference timeout is what you meant.";
  }

  /** The settings the environment overrides, by key. */
  static Map<String, String> fromEnvironment(Map<String, String> env) {
    Map<String, String> props = new HashMap<>();
    for (String key : CONFIG.names()) {
      String value = env.get(envVar(key));
      if (value != null) {
        props.put(key, value);
      }
    }
    env.forEach(
        (name, value) -> {
          if (name.startsWith(ENV_KAFKA_PREFIX)) {
            props.put(name.substring(ENV_KAFKA_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
          }
        });
    return props;
  }

  /** The environment variable that overrides {@code key}. */
  public static String envVar(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
  }

  /** The README's configuration table: key, environment variable, default, meaning. */
  public static String markdownTable() {
    StringBuilder table =
        new StringBuilder("| key | environment variable | default | meaning |\n|---|---|---|---|\n");
    for (ConfigDef.ConfigKey key : CONFIG.configKeys().values()) {
      Object defaultValue = key.defaultValue;
      String shown = defaultValue == null || defaultValue.toString().isEmpty() ? "(empty)" : defaultValue.toString();
      table.append("| `").append(key.name).append("` | `").append(envVar(key.name)).append("` | `")
          .append(shown).append("` | ").append(key.documentation).append(" |\n");
    }
    return table.toString();
  }

  /**
   * Settings for a plain Kafka client (producer, consumer, admin): the bootstrap servers plus those
   * pass-through settings the client knows ({@code clientConfigNames}, e.g. {@code
   * ProducerConfig.configNames()}), so security settings reach it and Streams-only ones do not.
   */
  public Map<String, Object> kafkaClientSettings(java.util.Set<String> clientConfigNames) {
    Map<String, Object> props = new HashMap<>();
    props.put(BOOTSTRAP_SERVERS, getString(BOOTSTRAP_SERVERS));
    kafkaPassThrough().forEach((key, value) -> {
      if (clientConfigNames.contains(key)) {
        props.put(key, value);
      }
    });
    return props;
  }

  /**
   * The longest one frame can spend in inference: each of its {@code 1 + model.retries} attempts
   * waiting the whole {@code inference.timeout.ms}, plus the retry backoffs ({@code
   * model.retry.backoff.ms}, doubling): the longest a stream thread with a full window of frames in
   * flight waits for the oldest. The floor of {@code max.poll.interval.ms} is derived from it.
   */
  public Duration worstCaseInference() {
    int retries = getInt(MODEL_RETRIES);
    Duration attempts = Duration.ofMillis(getInt(INFERENCE_TIMEOUT_MS)).multipliedBy(retries + 1L);
    return attempts.plus(Duration.ofMillis(getLong(MODEL_RETRY_BACKOFF_MS)).multipliedBy((1L << retries) - 1));
  }

  /**
   * The window of frames in flight per stream task: {@code max.frames.in.flight}, or when 0 {@value
   * #WINDOW_BATCHES} x {@code max.batch.size}. One batch's worth waits in the batcher while another is
   * decoded or post-processed, so a single busy partition can still fill every batch: with a window of
   * 16 and a batch of 32, batches from 2 partitions averaged 22 and a simulated accelerator got 76% of
   * the host's capacity, against 95% with 64 (docs/benchmarks.md).
   */
  public int framesInFlight() {
    int configured = getInt(MAX_FRAMES_IN_FLIGHT);
    return configured > 0 ? configured : (int) Math.min(Integer.MAX_VALUE, (long) WINDOW_BATCHES * getInt(MAX_BATCH_SIZE));
  }

  /** Settings segstream does not define: Kafka client and Streams settings, passed through as given. */
  public Map<String, Object> kafkaPassThrough() {
    Map<String, Object> extra = new HashMap<>(originals());
    CONFIG.names().forEach(extra::remove);
    return extra;
  }
}
