package io.segstream.cli;

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
      TrainCommand.class,
      EvaluateCommand.class,
    })
public final class SegstreamCli {

  public static void main(String[] args) {
    System.exit(new CommandLine(new SegstreamCli()).execute(args));
  }
}
