package io.segstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code segstream} command; each subcommand is one job (train, evaluate, demo, run, ...). */
@Command(
    name = "segstream",
    mixinStandardHelpOptions = true,
    version = CommandLines.VERSION,
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
    System.exit(CommandLines.execute(new SegstreamCli(), args));
  }
}
