package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.TensorFlowRuntime;
import io.segstream.model.DatasetBatches;
import io.segstream.model.FcnBuilder;
import io.segstream.model.FcnTrainer;
import io.segstream.model.FcnVariant;
import io.segstream.model.FrozenWeights;
import io.segstream.model.ModelExport;
import io.segstream.model.SyntheticScenes;
import io.segstream.model.TrainingData;
import io.segstream.model.TrainingOptions;
import io.segstream.model.TrainingProgress;
import io.segstream.model.Transfer;
import io.segstream.model.data.Augmentation;
import io.segstream.model.data.DatasetException;
import io.segstream.model.data.LabeledDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code segstream train}: trains an FCN on synthetic scenes or a labeled dataset, from scratch or from
 * another segstream FCN's backbone, and exports it as a SavedModel.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Trains an FCN (Long et al. 2015) on seeded synthetic shape scenes, or with --data on a labeled"
            + " dataset (Pascal VOC or plain layout) with random scale, crop and flip, scoring its"
            + " validation split as it goes; from scratch, or with --init-from from a segstream FCN's"
            + " backbone or the encoder of a model imported from TF.js. Exports the inference graph as a TensorFlow SavedModel plus"
            + " segstream-model.properties into --out. Resumes from the checkpoint in --checkpoint-dir"
            + " when one of the same run exists.")
public final class TrainCommand implements Callable<Integer> {

  @Option(names = "--variant", defaultValue = "8s", description = "32s, 16s or 8s (default: ${DEFAULT-VALUE})")
  String variant;

  @Option(names = "--width", description = "channels of the first conv block (default: 8, or the --init-from model's)")
  Integer width;

  @Option(names = "--data", description = "labeled dataset to train on (default: synthetic shape scenes)")
  Path data;

  @Option(names = "--split", defaultValue = "train", description = "training split of --data (default: ${DEFAULT-VALUE})")
  String split;

  @Option(names = "--val-split",
      description = "split of --data scored during training (default: val, when the dataset lists one)")
  String valSplit;

  @Option(names = "--val-every", defaultValue = "200", description = "steps between validation scores (default: ${DEFAULT-VALUE})")
  int valEvery;

  @Option(names = "--crop", defaultValue = "224", description = "side of the square training crops from --data (default: ${DEFAULT-VALUE})")
  int crop;

  @Option(names = "--scale", defaultValue = "0.75-1.25",
      description = "random scale range applied to --data images before cropping (default: ${DEFAULT-VALUE})")
  String scale;

  @Option(names = "--no-flip", description = "no random horizontal flips of --data images")
  boolean noFlip;

  @Option(names = "--init-from",
      description = "start from this model's backbone: a segstream FCN's conv layers, or the encoder of a model"
          + " imported with model import-tfjs (score layers start afresh for the new labels)")
  Path initFrom;

  @Option(names = "--freeze-backbone-steps", defaultValue = "0",
      description = "with --init-from: steps during which only the score layers learn (default: ${DEFAULT-VALUE})")
  int freezeBackboneSteps;

  @Option(names = "--steps", defaultValue = "20000", description = "optimiser steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--batch", defaultValue = "8", description = "scenes per step (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--size", defaultValue = "64-112",
      description = "training scene side in pixels, or a range MIN-MAX drawn per step (default: ${DEFAULT-VALUE})")
  String size;

  @Option(names = "--seed", defaultValue = "42", description = "fixes initial weights and training scenes (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--lr", defaultValue = "0.0015", description = "peak Adam learning rate (default: ${DEFAULT-VALUE})")
  double learningRate;

  @Option(names = "--out", defaultValue = SegstreamConfig.DEFAULT_MODEL_DIR, description = "model directory to write (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--name", description = "model name in the config (default: the --out folder name)")
  String name;

  @Option(names = "--model-version", description = "model version in the config (default: derived from the options)")
  String modelVersion;

  @Option(names = "--checkpoint-dir", description = "checkpoint folder (default: work-dirs/checkpoints/<out folder name>)")
  Path checkpointDir;

  @Option(names = "--checkpoint-every", defaultValue = "1000", description = "steps between checkpoints, 0 = none (default: ${DEFAULT-VALUE})")
  int checkpointEvery;

  @Option(names = "--threads", description = "TensorFlow intra-op threads (default: available processors)")
  Integer threads;

  @Override
  public Integer call() throws IOException {
    try {
      return train();
    } catch (IllegalArgumentException | IllegalStateException | DatasetException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
  }

  private int train() throws IOException {
    int[] sizes = data != null ? new int[] {crop, crop} : parseSizeRange(size);
    String modelName = name != null ? name : out.toAbsolutePath().normalize().getFileName().toString();
    Path checkpoints = checkpointDir != null ? checkpointDir : Paths.get("work-dirs", "checkpoints", modelName);
    TensorFlowRuntime.engine();
    Transfer transfer = initFrom != null ? Transfer.load(initFrom, freezeBackboneSteps) : null;
    if (transfer == null && freezeBackboneSteps > 0) {
      throw new IllegalArgumentException("--freeze-backbone-steps needs --init-from");
    }
    boolean encoder = transfer != null && transfer.width() == 0;
    if (encoder && width != null) {
      throw new IllegalArgumentException("--width does not apply to the TF.js encoder of " + initFrom);
    }
    int baseWidth = width != null ? width : transfer != null && !encoder ? transfer.width() : 8;
    TrainingOptions options = new TrainingOptions(FcnVariant.parse(variant), baseWidth, steps, batch, sizes[0],
        sizes[1], seed, learningRate, checkpointEvery, checkpoints,
        threads != null ? threads : Runtime.getRuntime().availableProcessors());
    TrainingData trainingData = data != null ? datasetData(options) : TrainingData.synthetic(options, new SyntheticScenes());
    String version = modelVersion != null ? modelVersion
        : String.format("fcn%s-%s-seed%d-steps%d%s%s", options.variant().shortName(), encoder ? "encoder" : "w" + baseWidth,
            seed, steps,
            data != null ? "-" + data.toAbsolutePath().normalize().getFileName() : "",
            transfer != null ? "-from-" + initFrom.toAbsolutePath().normalize().getFileName() : "");

    long start = System.nanoTime();
    FrozenWeights weights;
    FcnBuilder builder;
    try (FcnTrainer trainer = new FcnTrainer(options, trainingData, transfer)) {
      if (trainer.step() > 0) {
        System.err.printf("resuming from step %d (checkpoint in %s)%n", trainer.step(), checkpoints);
      }
      trainer.train(new TrainingProgress(System.err, System.console() != null));
      weights = trainer.weights();
      builder = trainer.builder();
      ModelExport.export(trainer.builder(), weights, out, modelName, version, trainer.labels());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("trained FCN-%s %s: %,d parameters, %d steps in %.0f s%n", options.variant().shortName(),
        encoder ? "on the " + builder.backbone().describe() : "width " + baseWidth, weights.parameterCount(), steps,
        seconds);
    System.out.printf("wrote %s (%,d bytes) and %s%n", out, directorySize(out), out.resolve(ModelExport.CONFIG_FILE));
    return 0;
  }

  private TrainingData datasetData(TrainingOptions options) throws IOException {
    LabeledDataset training = LabeledDataset.open(data, split);
    LabeledDataset validation = null;
    if (valSplit != null || LabeledDataset.hasSplit(data, "val")) {
      validation = LabeledDataset.open(data, valSplit != null ? valSplit : "val");
    } else {
      System.err.println("note: " + data + " lists no val split; training without validation scores");
    }
    double[] scales = parseScaleRange(scale);
    Augmentation augmentation = new Augmentation(crop, scales[0], scales[1], !noFlip);
    System.err.printf("training on %d images of %s (%s split, %s layout), validating on %s%n", training.size(), data,
        split, training.layout(), validation == null ? "nothing" : validation.size() + " images");
    return new TrainingData(training.labels(),
        new DatasetBatches(training, augmentation, options.seed(), options.batchSize()), validation, valEvery);
  }

  /** "1" or "0.5-1.5" as {min, max}. */
  static double[] parseScaleRange(String text) {
    return parseRange("--scale", text);
  }

  /** "96" or "64-112" as {min, max}. */
  static int[] parseSizeRange(String text) {
    double[] range = parseRange("--size", text);
    if (range[0] != Math.rint(range[0]) || range[1] != Math.rint(range[1])) {
      throw new IllegalArgumentException("--size takes whole pixels, got '" + text + "'");
    }
    return new int[] {(int) range[0], (int) range[1]};
  }

  private static double[] parseRange(String option, String text) {
    String[] parts = text.trim().split("-");
    try {
      if (parts.length == 1 || parts.length == 2) {
        double min = Double.parseDouble(parts[0]);
        return new double[] {min, parts.length == 1 ? min : Double.parseDouble(parts[1])};
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(option + " must be N or MIN-MAX, got '" + text + "'");
  }

  private static long directorySize(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
