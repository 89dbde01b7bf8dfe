package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.image.ErrorMap;
import io.segstream.image.Images;
import io.segstream.model.Evaluation;
import io.segstream.model.HeldOutEvaluation;
import io.segstream.model.SyntheticScenes;
import io.segstream.model.data.DatasetException;
import io.segstream.model.data.LabeledDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream evaluate}: the FCN paper's metrics of a SavedModel on held-out synthetic scenes or
 * on a labeled dataset (Pascal VOC or plain layout).
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Runs a SavedModel (through DJL's TensorFlow engine) on a labeled dataset (--data) or on"
            + " held-out synthetic scenes with seeds SEED .. SEED+COUNT-1 (never used in training) and"
            + " prints per-class IoU, mean IoU, pixel accuracy, mean accuracy and frequency-weighted IoU.")
public final class EvaluateCommand implements Callable<Integer> {

  @Option(names = "--model", defaultValue = SegstreamConfig.DEFAULT_MODEL_DIR, description = "SavedModel directory (default: ${DEFAULT-VALUE})")
  Path model;

  @Option(names = "--count", defaultValue = "200", description = "held-out scenes (default: ${DEFAULT-VALUE})")
  int count;

  @Option(names = "--size", defaultValue = "96", description = "scene side in pixels (default: ${DEFAULT-VALUE})")
  int size;

  @Option(names = "--seed", defaultValue = "1000000", description = "first held-out seed, >= 0 (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--data", description = "labeled dataset: Pascal VOC (JPEGImages/, SegmentationClass/,"
      + " ImageSets/Segmentation/) or plain (images/, masks/, labels.txt); replaces the synthetic scenes")
  Path data;

  @Option(names = "--split", defaultValue = "val", description = "dataset split with --data (default: ${DEFAULT-VALUE})")
  String split;

  @Option(names = "--confusion", description = "write the confusion matrix (rows: truth, columns: predicted) as CSV here")
  Path confusionCsv;

  @Option(names = "--overlays", description = "with --data: write an error map per image here"
      + " (right pixels dimmed, wrong pixels red, void grey)")
  Path overlays;

  @Option(names = "--require-miou", description = "exit with status 1 when mean IoU is below this")
  Double requiredMeanIou;

  @Override
  public Integer call() throws Exception {
    model = CliPaths.modelDir(model);
    if (!Files.isRegularFile(model.resolve("saved_model.pb"))) {
      System.err.println("error: no SavedModel (saved_model.pb) in " + model);
      return 2;
    }
    if (overlays != null && data == null) {
      System.err.println("error: --overlays needs --data");
      return 2;
    }
    long start = System.nanoTime();
    Evaluation evaluation;
    String scored;
    try {
      if (data != null) {
        LabeledDataset dataset = LabeledDataset.open(data, split);
        if (overlays != null) {
          Files.createDirectories(overlays);
        }
        evaluation = HeldOutEvaluation.run(model, dataset, (truth, predicted) -> {
          if (overlays != null) {
            Files.write(overlays.resolve(truth.name() + ".png"), Images.png(
                ErrorMap.render(truth.image(), truth.truth(), predicted.classIds(), LabeledDataset.VOID)));
          }
        });
        scored = String.format("%d images of %s split '%s' (%s layout)", dataset.size(), data, split, dataset.layout());
      } else {
        evaluation = HeldOutEvaluation.run(model, new SyntheticScenes(), count, size, seed);
        scored = String.format("%d held-out scenes %dx%d, seeds %d..%d", count, size, size, seed, seed + count - 1);
      }
    } catch (IllegalArgumentException | DatasetException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("model %s: %s, %.1f s%n%n", model, scored, seconds);
    System.out.print(evaluation.table());
    if (confusionCsv != null) {
      Files.writeString(confusionCsv, evaluation.confusionCsv());
      System.out.println("confusion matrix: " + confusionCsv);
    }
    if (overlays != null) {
      System.out.println("error maps: " + overlays);
    }
    if (requiredMeanIou != null && !(evaluation.meanIou() >= requiredMeanIou)) {
      System.err.printf("mean IoU %.4f is below the required %.4f%n", evaluation.meanIou(), requiredMeanIou);
      return 1;
    }
    return 0;
  }
}
