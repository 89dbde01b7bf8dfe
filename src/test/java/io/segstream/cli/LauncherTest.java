package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.Images;
import io.segstream.model.SyntheticScenes;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.testing.FreshTopics;
import io.segstream.testing.Masks;
import java.io.File;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/segstream} run from a folder of the user's: the relative paths given to it are that
 * folder's, a missing file is named in full with the reason, and the checkout's default model is
 * still found. The launcher runs from a checkout laid out as it expects, whose jar holds this build's
 * classes (so nothing is rebuilt).
 */
@Tag("integration")
@Timeout(300)
class LauncherTest {

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  private static final Path REPO = Path.of(System.getProperty("segstream.repo.dir", ".")).toAbsolutePath().normalize();

  @TempDir Path tmp;

  @Test
  void relativePathsAreTheCallersAndMissingFilesAreNamedInFull() throws Exception {
    Path home = checkout(tmp.resolve("checkout"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    Map<String, Object> settings = FreshTopics.settings(broker.bootstrapServers(), "launcher");
    Files.writeString(work.resolve("segstream.properties"), settings.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")));
    SyntheticScenes scenes = new SyntheticScenes();
    Path frames = Files.createDirectories(work.resolve("frames"));
    for (int seq = 0; seq < 2; seq++) {
      Files.write(frames.resolve("f" + seq + ".png"), Images.png(scenes.generate(seq, 24, 16).image()));
    }

    Run produced = launch(home, work, "produce", "--config", "segstream.properties", "--dir", "frames/",
        "--stream-id", "cam");
    assertEquals(0, produced.exit(), produced.output());
    sendMasks((String) settings.get(SegstreamConfig.TOPIC_MASKS), scenes);

    Run rendered = launch(home, work, "render", "--config", "segstream.properties", "-o", "out/", "--max", "2",
        "--idle-timeout", "60");
    assertEquals(0, rendered.exit(), rendered.output());
    assertTrue(rendered.output().contains("wrote 2 overlays to " + work.resolve("out")), rendered.output());
    try (Stream<Path> files = Files.list(work.resolve("out"))) {
      assertEquals(List.of("cam-000000.png", "cam-000001.png"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertFalse(Files.exists(home.resolve("out")), "nothing written into the checkout");

    Run missing = launch(home, work, "config", "--config", "missing.properties");
    assertEquals(1, missing.exit(), missing.output());
    assertTrue(missing.output().contains(
        "segstream config: " + work.resolve("missing.properties") + ": no such file or directory"), missing.output());
  }

  @Test
  void theDefaultModelIsTheCheckoutsWhenTheWorkingDirectoryHasNone() throws Exception {
    Path home = checkout(tmp.resolve("checkout"));
    Path work = Files.createDirectories(tmp.resolve("work"));

    Run evaluated = launch(home, work, "evaluate", "--count", "1", "--size", "32");
    assertEquals(0, evaluated.exit(), evaluated.output());
    assertTrue(evaluated.output().contains("model " + home.resolve(SegstreamConfig.DEFAULT_MODEL_DIR) + ": 1 held-out"),
        evaluated.output());

    // $SEGSTREAM_HOME comes first; this one's default model folder is empty, which evaluate refuses by name.
    Path otherHome = tmp.resolve("other-home");
    Files.createDirectories(otherHome.resolve(SegstreamConfig.DEFAULT_MODEL_DIR));
    Run elsewhere = launch(home, work, Map.of("SEGSTREAM_HOME", otherHome.toString()), "evaluate", "--count", "1");
    assertEquals(2, elsewhere.exit(), elsewhere.output());
    assertTrue(elsewhere.output().contains(
        "no SavedModel (saved_model.pb) in " + otherHome.resolve(SegstreamConfig.DEFAULT_MODEL_DIR)), elsewhere.output());
  }

  private record Run(int exit, String output) {}

  private static Run launch(Path home, Path workingDirectory, String... args) throws Exception {
    return launch(home, workingDirectory, Map.of(), args);
  }

  private static Run launch(Path home, Path workingDirectory, Map<String, String> env, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(home.resolve("bin/segstream").toString()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(workingDirectory.getParent(), "launch", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("SEGSTREAM_"));
    builder.environment().put("PATH",
        Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + System.getenv("PATH"));
    builder.environment().put("SEGSTREAM_JAVA_OPTS", "-Xmx512m");
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(240, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("bin/segstream " + String.join(" ", args) + " still running:\n" + Files.readString(log));
    }
    return new Run(process.exitValue(), Files.readString(log));
  }

  /**
   * A checkout as the launcher sees it: bin/segstream, sources older than target/segstream.jar, and
   * the default model. The jar holds this build's classes and names the dependencies by class path.
   */
  private static Path checkout(Path home) throws Exception {
    Path launcher = Files.createDirectories(home.resolve("bin")).resolve("segstream");
    Files.copy(REPO.resolve("bin/segstream"), launcher);
    assertTrue(launcher.toFile().setExecutable(true));
    FileTime past = FileTime.from(Instant.now().minusSeconds(3600));
    for (Path source : List.of(home.resolve("src/main"), home.resolve("schemas"))) {
      Files.setLastModifiedTime(Files.createDirectories(source), past);
    }
    Files.setLastModifiedTime(Files.writeString(home.resolve("pom.xml"), "<project/>"), past);
    Files.createDirectories(home.resolve("models"));
    Files.createSymbolicLink(home.resolve(SegstreamConfig.DEFAULT_MODEL_DIR), REPO.resolve(SegstreamConfig.DEFAULT_MODEL_DIR));

    Path classes = Path.of(SegstreamCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> dependencies = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry).toAbsolutePath();
      if (Files.isRegularFile(path) && entry.endsWith(".jar")) {
        dependencies.add(path.toUri().toString());
      }
    }
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, SegstreamCli.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, String.join(" ", dependencies));
    Path jar = Files.createDirectories(home.resolve("target")).resolve("segstream.jar");
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
        Stream<Path> walk = Files.walk(classes)) {
      for (Path path : walk.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace(File.separatorChar, '/')));
        Files.copy(path, out);
        out.closeEntry();
      }
    }
    return home;
  }

  private static void sendMasks(String topic, SyntheticScenes scenes) {
    var serializer = AvroSerdes.singleObject().forValues(SegmentationMask.class).serializer();
    try (KafkaProducer<String, byte[]> producer = broker.rawProducer()) {
      for (int seq = 0; seq < 2; seq++) {
        SegmentationMask mask = Masks.of("cam", seq, 24, 16, scenes.generate(seq, 24, 16).labels());
        producer.send(new ProducerRecord<>(topic, "cam", serializer.serialize(topic, mask)));
      }
      producer.flush();
    }
  }
}
