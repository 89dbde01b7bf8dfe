package io.segstream.inference;

import io.segstream.config.SegstreamConfig;
import io.segstream.image.RgbImage;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * How the {@link DynamicBatcher} forms batches.
 *
 * @param maxBatchSize most images in one model call
 * @param maxQueueDelay longest an image waits for others to join its batch while an instance is free
 * @param queueCapacity images queued before callers block
 * @param requestTimeout longest a caller waits for queue space and its result together
 * @param modelInputSize the model's fixed input size, which every frame is fitted to, so frames of any
 *     size share batches; null when the model takes frames as they are (only equal sizes share)
 * @param dispatchWhenDeviceIdle whether a batch also goes, however small, once no instance of a free
 *     instance's device is running one; false: only a full batch or the delay sends it (Triton's rule)
 */
public record BatcherSettings(int maxBatchSize, Duration maxQueueDelay, int queueCapacity, Duration requestTimeout,
    ImageSize modelInputSize, boolean dispatchWhenDeviceIdle) {

  /** Triton's rule: a batch goes when full or when its oldest image has waited the delay. */
  public BatcherSettings(int maxBatchSize, Duration maxQueueDelay, int queueCapacity, Duration requestTimeout) {
    this(maxBatchSize, maxQueueDelay, queueCapacity, requestTimeout, null, false);
  }

  /** Triton's rule, for a model with a fixed input size. */
  public BatcherSettings(int maxBatchSize, Duration maxQueueDelay, int queueCapacity, Duration requestTimeout,
      ImageSize modelInputSize) {
    this(maxBatchSize, maxQueueDelay, queueCapacity, requestTimeout, modelInputSize, false);
  }

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
    return from(config, modelMaxBatchSize, null);
  }

  /** From the config and the model's properties: its batch limit and its fixed input size. */
  public static BatcherSettings from(SegstreamConfig config, ModelConfig model) {
    return from(config, model.maxBatchSize(), model.fixedInputSize().map(ImageSize::of).orElse(null));
  }

  private static BatcherSettings from(SegstreamConfig config, OptionalInt modelMaxBatchSize, ImageSize inputSize) {
    int maxBatch = config.getInt(SegstreamConfig.MAX_BATCH_SIZE);
    if (modelMaxBatchSize.isPresent()) {
      maxBatch = Math.min(maxBatch, modelMaxBatchSize.getAsInt());
    }
    return new BatcherSettings(
        maxBatch,
        Duration.ofMillis(config.getInt(SegstreamConfig.MAX_QUEUE_DELAY_MS)),
        config.getInt(SegstreamConfig.QUEUE_CAPACITY),
        Duration.ofMillis(config.getInt(SegstreamConfig.INFERENCE_TIMEOUT_MS)),
        inputSize,
        config.getBoolean(SegstreamConfig.DISPATCH_WHEN_DEVICE_IDLE));
  }

  /** The size a frame is batched by: the model's input size when fixed, else the frame's own. */
  ImageSize batchSizeOf(RgbImage image) {
    return modelInputSize != null ? modelInputSize : ImageSize.of(image);
  }
}
