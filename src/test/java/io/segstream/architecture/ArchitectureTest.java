package io.segstream.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The package structure the README describes, checked from the sources' imports. */
class ArchitectureTest {

  private static final Path MAIN = Path.of("src/main/java");
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  /** What the topology may use of the inference package: the Segmenter contract, nothing engine-specific. */
  private static final Set<String> SEGMENTER_CONTRACT = Set.of(
      "io.segstream.inference.Segmenter", "io.segstream.inference.Segmentation",
      "io.segstream.inference.ModelInfo", "io.segstream.inference.SegmentationException");

  private record Source(Path file, String pkg, List<String> imports) {}

  private static List<Source> sources() throws IOException {
    List<Source> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String text = Files.readString(file);
        Matcher pkg = PACKAGE.matcher(text);
        assertTrue(pkg.find(), file + " has no package");
        List<String> imports = new ArrayList<>();
        Matcher m = IMPORT.matcher(text);
        while (m.find()) {
          imports.add(m.group(1));
        }
        sources.add(new Source(file, pkg.group(1), imports));
      }
    }
    return sources;
  }

  @Test
  void topologyDependsOnTheSegmenterContractNeverOnDjlOrTensorFlow() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Source source : sources()) {
      if (!source.pkg().startsWith("io.segstream.topology")) {
        continue;
      }
      for (String imported : source.imports()) {
        boolean engine = imported.startsWith("ai.djl") || imported.startsWith("org.tensorflow");
        boolean inferenceInternals =
            imported.startsWith("io.segstream.inference.") && !SEGMENTER_CONTRACT.contains(imported);
        if (engine || inferenceInternals) {
          violations.add(source.file() + " imports " + imported);
        }
      }
    }
    assertEquals(List.of(), violations);
  }

  /**
   * The benchmark harness (the simulated accelerator among it) is a tool: only bench commands use it,
   * never {@code run} or the processor's own packages.
   */
  @Test
  void onlyBenchCommandsUseTheBenchPackage() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Source source : sources()) {
      boolean benchCommand = source.pkg().equals("io.segstream.cli")
          && source.file().getFileName().toString().contains("Bench");
      if (source.pkg().equals("io.segstream.bench") || benchCommand) {
        continue;
      }
      source.imports().stream().filter(imported -> imported.startsWith("io.segstream.bench."))
          .forEach(imported -> violations.add(source.file() + " imports " + imported));
    }
    assertEquals(List.of(), violations);
  }

  /** {@code cli} is the composition root: it imports the other packages, none imports it. */
  @Test
  void nothingImportsTheCli() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Source source : sources()) {
      if (!source.pkg().equals("io.segstream.cli")) {
        source.imports().stream().filter(imported -> imported.startsWith("io.segstream.cli."))
            .forEach(imported -> violations.add(source.file() + " imports " + imported));
      }
    }
    assertEquals(List.of(), violations);
  }

  @Test
  void packagesHaveNoImportCycles() throws IOException {
    Map<String, Set<String>> edges = new TreeMap<>();
    for (Source source : sources()) {
      Set<String> out = edges.computeIfAbsent(source.pkg(), k -> new TreeSet<>());
      for (String imported : source.imports()) {
        if (imported.startsWith("io.segstream.")) {
          String target = imported.substring(0, imported.lastIndexOf('.'));
          // Nested-class imports (pkg.Outer.Inner): walk up to a known package later.
          if (!target.equals(source.pkg())) {
            out.add(target);
          }
        }
      }
    }
    Set<String> packages = edges.keySet();
    Map<String, Set<String>> graph = new HashMap<>();
    edges.forEach((from, targets) -> {
      Set<String> resolved = new HashSet<>();
      for (String target : targets) {
        String t = target;
        while (!packages.contains(t) && t.contains(".")) {
          t = t.substring(0, t.lastIndexOf('.'));
        }
        if (packages.contains(t) && !t.equals(from)) {
          resolved.add(t);
        }
      }
      graph.put(from, resolved);
    });
    for (String start : packages) {
      // Depth-first search for a path back to start.
      Deque<List<String>> stack = new ArrayDeque<>();
      stack.push(List.of(start));
      Set<String> seen = new HashSet<>();
      while (!stack.isEmpty()) {
        List<String> path = stack.pop();
        for (String next : graph.getOrDefault(path.get(path.size() - 1), Set.of())) {
          List<String> longer = new ArrayList<>(path);
          longer.add(next);
          assertTrue(!next.equals(start), "package cycle: " + String.join(" -> ", longer));
          if (seen.add(next)) {
            stack.push(longer);
          }
        }
      }
    }
  }
}
