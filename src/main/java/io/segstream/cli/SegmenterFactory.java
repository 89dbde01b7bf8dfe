package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.Segmenter;

/** Opens the {@link Segmenter} a command runs the stream with. */
@FunctionalInterface
public interface SegmenterFactory {

  /** Opens a segmenter for the model at {@code model.dir}, configured by {@code config}. */
  Segmenter open(SegstreamConfig config) throws Exception;

  /**
   * The model-backed factory behind {@code run} and {@code demo}.
   *
   * <p>WIRING POINT: becomes {@code io.segstream.inference.Segmenters::fromConfig} (the DJL model
   * pool with its dynamic batcher) once that lands; until then it explains itself and fails.
   */
  static SegmenterFactory modelBacked() {
    return config -> {
      throw new UnsupportedOperationException(
          "no model-backed segmenter is wired into this build yet (model.dir="
              + config.getString(SegstreamConfig.MODEL_DIR)
              + "); use demo --oracle to run the pipeline with ground-truth masks");
    };
  }
}
