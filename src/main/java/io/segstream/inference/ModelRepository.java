package io.segstream.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a model's versions live, Triton-style: either {@code model.dir} is itself a SavedModel (one
 * fixed version), or it holds numbered version folders ({@code 1/}, {@code 2/}, ...) each with a
 * SavedModel, and the highest complete one is served.
 *
 * <p>A version folder counts only once its {@code saved_model.pb} and {@code segstream-model.properties}
 * are both present, so a copy in progress is not picked up half-written (copy the properties last).
 */
public final class ModelRepository {

  public static final String SAVED_MODEL_FILE = "saved_model.pb";
  public static final String MODEL_CONFIG_FILE = ModelConfig.FILE_NAME;

  private final Path root;

  public ModelRepository(Path root) {
    this.root = root;
  }

  /** The folder of the version to serve now, if any is complete. */
  public Optional<Path> latest() {
    if (isComplete(root)) {
      return Optional.of(root);
    }
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> children = Files.list(root)) {
      return children
          .filter(child -> versionNumber(child) >= 0)
          .filter(ModelRepository::isComplete)
          .max(Comparator.comparingLong(ModelRepository::versionNumber));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list model versions in " + root, e);
    }
  }

  static boolean isComplete(Path dir) {
    return Files.isRegularFile(dir.resolve(SAVED_MODEL_FILE))
        && Files.isRegularFile(dir.resolve(MODEL_CONFIG_FILE));
  }

  /** The folder's version number, or -1 when its name is not a number. */
  static long versionNumber(Path dir) {
    String name = dir.getFileName().toString();
    if (name.isEmpty() || !name.chars().allMatch(Character::isDigit) || name.length() > 18) {
      return -1;
    }
    return Long.parseLong(name);
  }

  public Path root() {
    return root;
  }
}
