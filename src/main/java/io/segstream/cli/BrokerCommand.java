package io.segstream.cli;

import io.segstream.ops.EmbeddedKafkaBroker;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A single-node Kafka broker (KRaft) in this process, so {@code run}, {@code produce} and {@code
 * render} can be tried without Docker or a Kafka install. It is the broker the tests use; for anything
 * beyond trying segstream out, use a real cluster.
 */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Run a single-node Kafka broker (KRaft) for trying segstream without Docker.",
      "It listens on loopback only unless --host says otherwise; Ctrl-C (or SIGTERM) stops it cleanly."
    })
public final class BrokerCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "9092",
      description = "Client port (the default of bootstrap.servers is localhost:9092). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to listen on and advertise to clients; it must be one they can reach. "
          + "Default: ${DEFAULT-VALUE} (this machine only).")
  String host;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Keep topics and records here across restarts (created and formatted on first use). "
          + "Default: a temporary folder, deleted when the broker stops.")
  Path dataDir;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "A broker setting over segstream's defaults (repeatable), e.g. "
          + "--set group.initial.rebalance.delay.ms=3000 for Kafka's own delay, which segstream's broker drops "
          + "so that tests start quickly.")
  Map<String, String> settings = new LinkedHashMap<>();

  private final PrintStream out;
  private final CountDownLatch stopRequested = new CountDownLatch(1);

  public BrokerCommand() {
    this(System.out);
  }

  BrokerCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("--port must be 1-65535, got " + port);
    }
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(host, port, dataDir, settings);
    CountDownLatch stopped = new CountDownLatch(1);
    // Ctrl-C and SIGTERM run shutdown hooks: stop the broker there so its logs are closed cleanly
    // (a kept --data-dir then restarts without recovery), and let the JVM exit once it has.
    Thread hook = new Thread(() -> {
      stopRequested.countDown();
      awaitQuietly(stopped);
    }, "segstream-broker-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    out.println("segstream broker: ready at " + broker.bootstrapServers()
        + " (data in " + (dataDir != null ? dataDir.toAbsolutePath() : "a temporary folder") + ")");
    out.println("segstream broker: try: segstream run   |   stop: Ctrl-C");
    out.flush();
    try {
      stopRequested.await();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Stopped by a signal: the hook is running and waits for the close below.
      }
      broker.close();
      out.println("segstream broker: stopped");
      out.flush();
      stopped.countDown();
    }
    return 0;
  }

  /** Asks a running {@link #call} to stop the broker and return (what a shutdown hook does). */
  void stop() {
    stopRequested.countDown();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
