package io.segstream.inference;

import io.segstream.config.SegstreamConfig;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * How the {@link DynamicBatcher} forms batches.
 *
 * @param maxBatchSize most images in one model call
 * @param maxQueueDelay longest an image waits for others to join its batch while an instance is free
 * @param queueCapacity images queued before callers block
 * @param requestTimeout longest a caller waits for queue space and its result together
 */
public record BatcherSettings(
    int maxBatchSize, Duration maxQueueDelay, int queueCapacity, Duration requestTimeout) {

  public BatcherSettings {
    if (maxBatchSize < 1 || queueCapacity < 1) {
      throw new IllegalArgumentException(
          "max batch size and queue capacity must be >= 1, got " + maxBatchSize + ", " + queueCapacity);
    }
    if (maxQueueDelay.isNegative() || requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException(
          "queue delay must be >= 0 and request timeout > 0, got " + maxQueueDelay + ", " + requestTimeout);
    }
  }

  /** From the config; a model's own batch limit ({@code max.batch.size} in its properties) caps it. */
  public static BatcherSettings from(SegstreamConfig config, OptionalInt modelMaxBatchSize) {
    int maxBatch = config.getInt(SegstreamConfig.MAX_BATCH_SIZE);
    if (modelMaxBatchSize.isPresent()) {
      maxBatch = Math.min(maxBatch, modelMaxBatchSize.getAsInt());
    }
    return new BatcherSettings(
        maxBatch,
        Duration.ofMillis(config.getInt(SegstreamConfig.MAX_QUEUE_DELAY_MS)),
        config.getInt(SegstreamConfig.QUEUE_CAPACITY),
        Duration.ofMillis(config.getInt(SegstreamConfig.INFERENCE_TIMEOUT_MS)));
  }
}
