package io.segstream.cli;

import io.segstream.contracts.serde.AvroTrust;
import java.nio.file.FileSystemException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code segstream} command; each subcommand is one job (train, evaluate, demo, run, ...). */
@Command(
    name = "segstream",
    mixinStandardHelpOptions = true,
    version = "segstream 0.1.0",
    description = "Real-time FCN semantic segmentation of video frames on Kafka Streams.",
    subcommands = {
      CommandLine.HelpCommand.class,
      ConfigCommand.class,
      BenchCommand.class,
      ModelCommand.class,
      DemoCommand.class,
      RunCommand.class,
      BrokerCommand.class,
      ProduceCommand.class,
      RenderCommand.class,
      ViewCommand.class,
      TrainCommand.class,
      LabelCommand.class,
      EvaluateCommand.class,
    })
public final class SegstreamCli {

  public static void main(String[] args) {
    // Before any Avro class loads: Avro reads its list of trusted packages once.
    AvroTrust.trustGeneratedClasses();
    defaultKafkaLogLevel("warn");
    System.exit(configure(new CommandLine(new SegstreamCli())).execute(args));
  }

  /**
   * Kafka's INFO logging drowns the commands' own output: below {@code level} it is dropped, unless
   * the logger's level is set already ({@code -Dorg.slf4j.simpleLogger.log.org.apache.kafka=info}).
   * Takes effect for loggers created afterwards, so call it before Kafka classes are used.
   */
  static void defaultKafkaLogLevel(String level) {
    for (String logger : List.of("org.apache.kafka", "kafka", "state.change.logger")) {
      String key = "org.slf4j.simpleLogger.log." + logger;
      if (System.getProperty(key) == null) {
        System.setProperty(key, level);
      }
    }
  }

  /**
   * Failures end with the reason, not a stack trace: a missing model or an unreachable broker is the
   * user's to fix. {@code SEGSTREAM_DEBUG=1} shows the trace. Path options resolve against the
   * working directory ({@link CliPaths}).
   */
  static CommandLine configure(CommandLine cli) {
    return CliPaths.register(cli).setExecutionExceptionHandler((e, command, parseResult) -> {
      if (System.getenv("SEGSTREAM_DEBUG") != null) {
        e.printStackTrace(command.getErr());
      }
      StringBuilder reason = new StringBuilder(message(e));
      for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
        reason.append(": ").append(message(cause));
      }
      command.getErr().println("segstream " + command.getCommandName() + ": " + reason);
      return 1;
    });
  }

  /** A file error names the file in full with the reason; Java's own message is the path alone. */
  private static String message(Throwable e) {
    return e instanceof FileSystemException fileError ? CliPaths.describe(fileError) : String.valueOf(e.getMessage());
  }
}
