package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

class CliPathsTest {

  private static final Path CWD = Path.of("").toAbsolutePath();

  @Test
  void everyPathOptionOfEveryCommandIsTakenFromTheWorkingDirectory() {
    List<String> checked = new ArrayList<>();
    for (List<String> names : commandPaths(new CommandLine(new SegstreamCli()), List.of())) {
      CommandLine root = CommandLines.configure(new CommandLine(new SegstreamCli()));
      CommandLine command = root;
      for (String name : names) {
        command = command.getSubcommands().get(name);
      }
      for (OptionSpec option : command.getCommandSpec().options()) {
        if (option.type() != Path.class) {
          continue;
        }
        List<String> args = new ArrayList<>(names);
        args.addAll(List.of(option.longestName(), "some/../relative/file"));
        try {
          root.parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException otherOptionsMissing) {
          // Required options left out; the one given has its value already.
        }
        String what = String.join(" ", names) + " " + option.longestName();
        assertEquals(CWD.resolve("relative/file"), option.getValue(), what);
        checked.add(what);
      }
    }
    assertTrue(checked.containsAll(List.of("render --config", "render --output", "produce --dir", "config --config",
        "demo --model", "demo --input-video", "train --out", "bench stream --out", "model import-tfjs --model-json")),
        checked.toString());
  }

  /** The names leading to every command below {@code command}, e.g. [bench, stream]. */
  private static List<List<String>> commandPaths(CommandLine command, List<String> names) {
    List<List<String>> all = new ArrayList<>();
    command.getSubcommands().forEach((name, sub) -> {
      if (sub.getCommandName().equals(name)) { // not an alias
        List<String> path = new ArrayList<>(names);
        path.add(name);
        all.add(path);
        all.addAll(commandPaths(sub, path));
      }
    });
    return all;
  }

  @Test
  void aMissingFileIsNamedInFullWithTheReason() {
    CommandLine cli = CommandLines.configure(new CommandLine(new SegstreamCli()));
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(new StringWriter()));
    assertEquals(1, cli.execute("config", "--config", "no-such-dir/segstream.properties"));
    assertEquals("segstream config: " + CWD.resolve("no-such-dir/segstream.properties") + ": no such file or directory",
        err.toString().strip());
  }

  @Test
  void fileErrorsSayWhy() {
    assertEquals(CWD.resolve("a.txt") + ": no such file or directory", CliPaths.describe(new NoSuchFileException("a.txt")));
    assertEquals("/x/a.txt: permission denied", CliPaths.describe(new AccessDeniedException("/x/a.txt")));
    assertEquals("/x/a -> /x/b: Is a directory",
        CliPaths.describe(new java.nio.file.FileSystemException("/x/a", "/x/b", "Is a directory")));
  }

  @Test
  void aModelFolderThatExistsOrIsNotTheDefaultIsTakenAsGiven(@TempDir Path dir) throws IOException {
    assertEquals(dir, CliPaths.modelDir(dir));
    Path missing = dir.resolve("models/fcn-default");
    assertFalse(missing.toFile().exists());
    assertEquals(missing, CliPaths.modelDir(missing), "not the working directory's default: no lookup elsewhere");
    assertEquals(CWD.resolve("models/other"), CliPaths.modelDir(Path.of("models/other")));
  }
}
