package io.segstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code segstream} command as the runtime image ships it ({@code target/segstream-runtime.jar}):
 * {@code run} and nothing else, so the image carries no trainer, bench, view or embedded broker.
 * {@link SegstreamCli} names every command and so loads them all; this one loads only {@code run}'s
 * classes, with the same options, settings and error handling.
 */
@Command(
    name = "segstream",
    mixinStandardHelpOptions = true,
    version = CommandLines.VERSION,
    description = "Real-time FCN semantic segmentation of video frames on Kafka Streams (runtime: run only).",
    subcommands = {CommandLine.HelpCommand.class, RunCommand.class})
public final class RuntimeCli {

  public static void main(String[] args) {
    System.exit(CommandLines.execute(new RuntimeCli(), args));
  }
}
