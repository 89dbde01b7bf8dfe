package io.segstream.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code segstream model ...}: bring models into the form segstream serves. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Model tools: import models from other formats as SavedModels segstream serves.",
    subcommands = {ImportTfjsCommand.class})
public final class ModelCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    // Without a subcommand there is nothing to do but explain them.
    spec.commandLine().usage(System.err);
  }
}
