package io.segstream.cli;

import picocli.CommandLine.Command;

/** Benchmarks; each subcommand writes its figures under target/bench. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure throughput and latency; results go to target/bench/.",
    subcommands = {ModelBenchCommand.class, StreamBenchCommand.class, DecodeBenchCommand.class})
public final class BenchCommand {}
