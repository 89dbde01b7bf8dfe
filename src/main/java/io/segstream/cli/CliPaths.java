package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.TensorFlowRuntime;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * How the commands treat the paths they are given, in one place: relative to the caller's working
 * directory, shown in full in every message, and a file that cannot be used named with the reason.
 * The one exception is the default model: the checkout or image ships it, so it is found from any
 * working directory.
 */
final class CliPaths {

  private CliPaths() {}

  /** Every {@link Path} option of {@code cli} and its subcommands becomes absolute against the working directory. */
  static CommandLine register(CommandLine cli) {
    return cli.registerConverter(Path.class, CliPaths::absolute);
  }

  static Path absolute(String text) {
    return Path.of(text).toAbsolutePath().normalize();
  }

  /**
   * A model folder to read: {@code dir} itself, unless it is the default {@code models/fcn-default}
   * and the working directory has none; that one is then looked up, first match wins, in
   * {@code $SEGSTREAM_HOME}, beside {@code segstream.jar} (the image's layout) and in the folder above
   * it (a checkout's, where the jar is in {@code target/}).
   */
  static Path modelDir(Path dir) {
    Path given = dir.toAbsolutePath().normalize();
    if (Files.exists(given) || !given.equals(absolute(SegstreamConfig.DEFAULT_MODEL_DIR))) {
      return given;
    }
    List<Path> installs = new ArrayList<>();
    Optional.ofNullable(System.getenv("SEGSTREAM_HOME")).map(Path::of).ifPresent(installs::add);
    TensorFlowRuntime.applicationDirectory().ifPresent(jarDir -> {
      installs.add(jarDir);
      Optional.ofNullable(jarDir.getParent()).ifPresent(installs::add);
    });
    return installs.stream()
        .map(home -> home.resolve(SegstreamConfig.DEFAULT_MODEL_DIR).toAbsolutePath().normalize())
        .filter(Files::isDirectory)
        .findFirst()
        .orElse(given);
  }

  /** {@code /full/path: no such file or directory} rather than the bare relative name Java's message holds. */
  static String describe(FileSystemException e) {
    String reason = e.getReason() != null ? e.getReason()
        : e instanceof NoSuchFileException ? "no such file or directory"
        : e instanceof AccessDeniedException ? "permission denied"
        : e instanceof NotDirectoryException ? "not a directory"
        : e instanceof FileAlreadyExistsException ? "already exists"
        : e instanceof DirectoryNotEmptyException ? "directory not empty"
        : e.getClass().getSimpleName();
    String file = e.getFile() == null ? "?" : absolute(e.getFile()).toString();
    String other = e.getOtherFile() == null ? "" : " -> " + absolute(e.getOtherFile());
    return file + other + ": " + reason;
  }
}
