package io.segstream.cli;

import io.segstream.contracts.serde.AvroTrust;
import java.nio.file.FileSystemException;
import java.util.List;
import picocli.CommandLine;

/**
 * How every segstream entry point starts its command line: the full CLI ({@link SegstreamCli}) and
 * the runtime image's {@link RuntimeCli} behave the same for the commands they share.
 */
final class CommandLines {

  static final String VERSION = "segstream 0.1.0";

  private CommandLines() {}

  /** Runs {@code command} with {@code args} and returns its exit code. */
  static int execute(Object command, String[] args) {
    // Before any Avro class loads: Avro reads its list of trusted packages once.
    AvroTrust.trustGeneratedClasses();
    defaultKafkaLogLevel("warn");
    return configure(new CommandLine(command)).execute(args);
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
