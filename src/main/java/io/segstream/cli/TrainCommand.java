package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.TensorFlowRuntime;
import io.segstream.model.FcnTrainer;
import io.segstream.model.FcnVariant;
import io.segstream.model.FrozenWeights;
import io.segstream.model.ModelExport;
import io.segstream.model.SyntheticScenes;
import io.segstream.model.TrainingOptions;
import io.segstream.model.TrainingProgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code segstream train}: trains an FCN on synthetic scenes and exports it as a SavedModel. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Trains an FCN (Long et al. 2015) from scratch on seeded synthetic shape scenes and exports the"
            + " inference graph as a TensorFlow SavedModel plus segstream-model.properties into --out."
            + " Resumes from the checkpoint in --checkpoint-dir when one of the same run exists.")
public final class TrainCommand implements Callable<Integer> {

  @Option(names = "--variant", defaultValue = "8s", description = "32s, 16s or 8s (default: ${DEFAULT-VALUE})")
  String variant;

  @Option(names = "--width", defaultValue = "8", description = "channels of the first conv block (default: ${DEFAULT-VALUE})")
  int width;

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
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
  }

  private int train() throws IOException {
    int[] sizes = parseSizeRange(size);
    String modelName = name != null ? name : out.toAbsolutePath().normalize().getFileName().toString();
    Path checkpoints = checkpointDir != null ? checkpointDir : Paths.get("work-dirs", "checkpoints", modelName);
    TrainingOptions options = new TrainingOptions(FcnVariant.parse(variant), width, steps, batch, sizes[0], sizes[1],
        seed, learningRate, checkpointEvery, checkpoints,
        threads != null ? threads : Runtime.getRuntime().availableProcessors());
    String version = modelVersion != null ? modelVersion
        : String.format("fcn%s-w%d-seed%d-steps%d", options.variant().shortName(), width, seed, steps);

    TensorFlowRuntime.engine();
    long start = System.nanoTime();
    FrozenWeights weights;
    try (FcnTrainer trainer = new FcnTrainer(options, new SyntheticScenes())) {
      if (trainer.step() > 0) {
        System.err.printf("resuming from step %d (checkpoint in %s)%n", trainer.step(), checkpoints);
      }
      trainer.train(new TrainingProgress(System.err, System.console() != null));
      weights = trainer.weights();
      ModelExport.export(trainer.builder(), weights, out, modelName, version, SyntheticScenes.CLASS_LABELS);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("trained FCN-%s width %d: %,d parameters, %d steps in %.0f s%n",
        options.variant().shortName(), width, weights.parameterCount(), steps, seconds);
    System.out.printf("wrote %s (%,d bytes) and %s%n", out, directorySize(out), out.resolve(ModelExport.CONFIG_FILE));
    return 0;
  }

  /** "96" or "64-112" as {min, max}. */
  static int[] parseSizeRange(String text) {
    String[] parts = text.trim().split("-");
    try {
      if (parts.length == 1) {
        int s = Integer.parseInt(parts[0]);
        return new int[] {s, s};
      }
      if (parts.length == 2) {
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException("--size must be N or MIN-MAX, got '" + text + "'");
  }

  private static long directorySize(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
