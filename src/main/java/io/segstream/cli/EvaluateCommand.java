package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.model.Evaluation;
import io.segstream.model.HeldOutEvaluation;
import io.segstream.model.SyntheticScenes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code segstream evaluate}: pixel accuracy and IoU of a SavedModel on held-out synthetic scenes. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Runs a SavedModel (through DJL's TensorFlow engine) on held-out synthetic scenes with seeds"
            + " SEED .. SEED+COUNT-1 (never used in training) and prints per-class IoU, mean IoU and"
            + " pixel accuracy.")
public final class EvaluateCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = SegstreamConfig.DEFAULT_MODEL_DIR, description = "SavedModel directory (default: ${DEFAULT-VALUE})")
  Path model;

  @Option(names = "--count", defaultValue = "200", description = "held-out scenes (default: ${DEFAULT-VALUE})")
  int count;

  @Option(names = "--size", defaultValue = "96", description = "scene side in pixels (default: ${DEFAULT-VALUE})")
  int size;

  @Option(names = "--seed", defaultValue = "1000000", description = "first held-out seed, >= 0 (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--require-miou", description = "exit with status 1 when mean IoU is below this")
  Double requiredMeanIou;

  @Override
  public Integer call() throws Exception {
    model = CliPaths.modelDir(model);
    if (!Files.isRegularFile(model.resolve("saved_model.pb"))) {
      System.err.println("error: no SavedModel (saved_model.pb) in " + model);
      return 2;
    }
    long start = System.nanoTime();
    Evaluation evaluation;
    try {
      evaluation = HeldOutEvaluation.run(model, new SyntheticScenes(), count, size, seed);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("model %s: %d held-out scenes %dx%d, seeds %d..%d, %.1f s%n%n",
        model, count, size, size, seed, seed + count - 1, seconds);
    System.out.print(evaluation.table());
    if (requiredMeanIou != null && !(evaluation.meanIou() >= requiredMeanIou)) {
      System.err.printf("mean IoU %.4f is below the required %.4f%n", evaluation.meanIou(), requiredMeanIou);
      return 1;
    }
    return 0;
  }
}
