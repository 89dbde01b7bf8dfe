package io.segstream.inference;

import ai.djl.engine.Engine;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the TensorFlow native libraries the build unpacked and starts DJL's TensorFlow engine offline.
 *
 * <p>DJL would otherwise download its own native bundle at first use, which is impossible here. The
 * libraries are looked up, first match wins: {@code TENSORFLOW_LIBRARY_PATH} (environment or system
 * property), then {@code tf-native/org/tensorflow/internal/c_api/linux-x86_64} beside the application
 * jar, under {@code $SEGSTREAM_HOME}, and under {@code target/} of the working directory.
 */
public final class TensorFlowRuntime {

  public static final String LIBRARY_PATH_KEY = "TENSORFLOW_LIBRARY_PATH";
  static final String NATIVE_SUBDIR = "tf-native/org/tensorflow/internal/c_api/linux-x86_64";
  private static final String MARKER = "libjnitensorflow.so";

  private static volatile Engine engine;

  private TensorFlowRuntime() {}

  /** Loads the engine once (idempotent); must run before any TensorFlow Java class is touched. */
  public static synchronized Engine engine() {
    if (engine == null) {
      // DJL reads "offline" to decide whether it may download anything; it may not, ever.
      System.setProperty("offline", "true");
      if (System.getenv(LIBRARY_PATH_KEY) == null && System.getProperty(LIBRARY_PATH_KEY) == null) {
        Path dir =
            locateNativeLibraries()
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "TensorFlow native libraries not found; build with ./mvnw package or set "
                                + LIBRARY_PATH_KEY + " to the folder holding " + MARKER));
        System.setProperty(LIBRARY_PATH_KEY, dir.toString());
      }
      if (System.getenv("TF_CPP_MIN_LOG_LEVEL") == null) {
        System.setProperty("TF_CPP_MIN_LOG_LEVEL", "2");
      }
      engine = Engine.getEngine("TensorFlow");
    }
    return engine;
  }

  static Optional<Path> locateNativeLibraries() {
    List<Path> bases = new ArrayList<>();
    applicationDirectory().ifPresent(bases::add);
    String home = System.getenv("SEGSTREAM_HOME");
    if (home != null) {
      bases.add(Paths.get(home));
    }
    bases.add(Paths.get("target"));
    bases.add(Paths.get(""));
    return bases.stream()
        .map(base -> base.resolve(NATIVE_SUBDIR).toAbsolutePath().normalize())
        .filter(dir -> Files.isRegularFile(dir.resolve(MARKER)))
        .findFirst();
  }

  /** The folder of the jar (or classes folder) this class was loaded from. */
  public static Optional<Path> applicationDirectory() {
    try {
      Path location =
          Paths.get(TensorFlowRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return Optional.ofNullable(location.getParent());
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      return Optional.empty();
    }
  }
}
