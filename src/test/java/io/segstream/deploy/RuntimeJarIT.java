package io.segstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the container image runs: target/segstream-runtime.jar on target/lib-run/ (docker/Dockerfile
 * copies both). It must carry `run` and nothing of the trainer, bench, live view or embedded broker,
 * and still find every class it names. Runs after `package` (failsafe).
 */
class RuntimeJarIT {

  private static final Path REPO = Path.of(System.getProperty("segstream.repo.dir", "."));
  private static final Path JAR = REPO.resolve("target/segstream-runtime.jar");
  private static final Path LIB_RUN = REPO.resolve("target/lib-run");

  @Test
  void everyClassTheRuntimeJarNamesIsInItOrInLibRun() throws IOException {
    // jdeps reads the bytecode, so a class reached only on a rare path (an error branch) counts too.
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
    String classPath;
    try (Stream<Path> jars = Files.list(LIB_RUN)) {
      // Spelled out: only the command-line launcher expands "lib-run/*".
      classPath = String.join(File.pathSeparator, jars.map(Path::toString).sorted().toList());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int exit = jdeps.run(print, print, "--multi-release", "17", "--missing-deps",
        "--class-path", classPath, JAR.toString());
    String missing = out.toString(StandardCharsets.UTF_8).trim();
    assertEquals(0, exit, missing);
    assertEquals("", missing, "classes the runtime jar names but neither it nor lib-run/ holds");
  }

  @Test
  void runtimeJarHoldsNoTrainerBenchViewOrBroker() throws IOException {
    List<String> unwanted = new ArrayList<>();
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertEquals("io.segstream.cli.RuntimeCli",
          jar.getManifest().getMainAttributes().getValue(Attributes.Name.MAIN_CLASS));
      jar.stream().map(entry -> entry.getName())
          .filter(name -> name.matches("io/segstream/(model|bench|view)/.*")
              || name.contains("EmbeddedKafkaBroker")
              || name.startsWith("io/segstream/cli/SegstreamCli")
              || name.matches("io/segstream/cli/\\w+Command\\.class") && !name.endsWith("/RunCommand.class"))
          .forEach(unwanted::add);
    }
    assertEquals(List.of(), unwanted);
  }

  @Test
  void libRunHoldsNoBrokerOrRocksDbJars() throws IOException {
    try (Stream<Path> jars = Files.list(LIB_RUN)) {
      List<String> broker = jars.map(jar -> jar.getFileName().toString())
          .filter(name -> name.startsWith("kafka_2.13") || name.startsWith("kafka-server")
              || name.startsWith("kafka-raft") || name.startsWith("scala-") || name.startsWith("rocksdbjni"))
          .toList();
      assertEquals(List.of(), broker);
    }
  }

  /** As the image lays it out: the jar beside lib/ = lib-run/ (the jar's Class-Path is lib/...). */
  @Test
  void runtimeJarAnswersRunAndNoOtherCommand(@TempDir Path app) throws Exception {
    Files.copy(JAR, app.resolve("segstream.jar"));
    Files.createSymbolicLink(app.resolve("lib"), LIB_RUN.toAbsolutePath());
    Result help = java(app, "run", "--help");
    assertEquals(0, help.exit(), help.output());
    assertTrue(help.output().contains("--config"), help.output());
    Result demo = java(app, "demo");
    assertEquals(2, demo.exit(), demo.output());
    assertTrue(demo.output().contains("Unmatched argument") && demo.output().contains("demo"), demo.output());
    Result commands = java(app, "--help");
    assertEquals(0, commands.exit(), commands.output());
    assertTrue(commands.output().contains("run") && !commands.output().contains("train"), commands.output());
  }

  private record Result(int exit, String output) {}

  private static Result java(Path app, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", "segstream.jar"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(app.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "java -jar " + String.join(" ", args) + " did not end");
    return new Result(process.exitValue(), output);
  }
}
