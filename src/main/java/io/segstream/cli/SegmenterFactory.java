package io.segstream.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.segstream.config.SegstreamConfig;
import io.segstream.inference.HotReloadingSegmenter;
import io.segstream.inference.ModelRepository;
import io.segstream.inference.RetryingSegmenter;
import io.segstream.inference.Segmenter;
import io.segstream.inference.Segmenters;
import io.segstream.inference.TensorFlowRuntime;
import java.nio.file.Path;

/** Opens the {@link Segmenter} a command runs the stream with. */
@FunctionalInterface
public interface SegmenterFactory {

  /** Opens a segmenter for the model at {@code model.dir}, configured by {@code config}. */
  Segmenter open(SegstreamConfig config) throws Exception;

  /**
   * The model behind {@code run} and {@code demo}: the newest version in {@code model.dir} (the
   * shipped default found from any working directory, {@link CliPaths#modelDir}) on a pool
   * of model instances behind the dynamic batcher, hot-swapped when a newer version folder appears
   * (every {@code model.poll.ms}); a failed inference is retried per {@code model.retries}; its
   * metrics go to {@code registry}.
   */
  static SegmenterFactory modelBacked(MeterRegistry registry) {
    return config -> {
      TensorFlowRuntime.engine();
      return RetryingSegmenter.fromConfig(
          new HotReloadingSegmenter(
              new ModelRepository(CliPaths.modelDir(Path.of(config.getString(SegstreamConfig.MODEL_DIR)))),
              versionDir -> Segmenters.forModel(versionDir, config, registry),
              config.getLong(SegstreamConfig.MODEL_POLL_MS)),
          config);
    };
  }
}
