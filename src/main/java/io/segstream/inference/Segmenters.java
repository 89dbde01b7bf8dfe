package io.segstream.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.config.SegstreamConfig;
import io.segstream.ops.InferenceMetrics;
import java.io.IOException;
import java.nio.file.Path;

/** Builds the {@link Segmenter} the topology uses: a model instance pool behind a dynamic batcher. */
public final class Segmenters {

  private Segmenters() {}

  /** The model in {@code model.dir}, placed and batched as the config says. */
  public static DynamicBatcher fromConfig(SegstreamConfig config, MeterRegistry registry) throws IOException {
    return forModel(Path.of(config.getString(SegstreamConfig.MODEL_DIR)), config, registry);
  }

  /**
   * The model in {@code modelDir} (a SavedModel with its {@value ModelConfig#FILE_NAME}), placed and
   * batched as the config says; suits loading one version folder of a model repository.
   */
  public static DynamicBatcher forModel(Path modelDir, SegstreamConfig config, MeterRegistry registry)
      throws IOException {
    ModelConfig model = ModelConfig.load(modelDir);
    ModelInstancePool pool = ModelInstancePool.fromConfig(config, model);
    return new DynamicBatcher(
        model.modelInfo(),
        pool,
        BatcherSettings.from(config, model),
        new InferenceMetrics(registry, model.name(), model.version()));
  }
}
