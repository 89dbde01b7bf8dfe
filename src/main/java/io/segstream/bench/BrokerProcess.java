package io.segstream.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code segstream broker} in a child JVM (this JVM's {@code java}, the same class path) on a free
 * loopback port, so that the benchmark's CPU time is the processor's own. Its output goes to a log
 * file; closing it stops the broker (SIGTERM, which the broker command handles, then a kill).
 */
final class BrokerProcess implements AutoCloseable {

  /** What the broker command prints once it listens. */
  private static final String READY = "segstream broker: ready at ";

  private final Process process;
  private final String bootstrapServers;
  private final Thread killOnExit;

  private BrokerProcess(Process process, String bootstrapServers) {
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    // A benchmark stopped with Ctrl-C must not leave a broker behind, nor its log: SIGTERM first, so
    // that the broker deletes its temporary log folder (gigabytes of memory when it is in /dev/shm).
    this.killOnExit = new Thread(this::stop, "segstream-bench-broker-stop");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /**
   * Starts {@code mainClass broker --port P} and waits until it says it is ready.
   *
   * @param mainClass the class whose {@code main} runs segstream's commands
   * @param log where the broker's output goes
   * @param logParent where the broker makes its temporary data folder (its log), deleted when it stops
   * @param settings broker settings over segstream's defaults
   */
  static BrokerProcess start(String mainClass, Path log, Path logParent, Map<String, String> settings,
      Duration timeout) throws IOException, InterruptedException, TimeoutException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Djava.io.tmpdir=" + logParent, "-cp",
        System.getProperty("java.class.path"), mainClass, "broker", "--port", Integer.toString(freePort())));
    settings.forEach((key, value) -> command.addAll(List.of("--set", key + "=" + value)));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      return awaitReady(process, log, timeout);
    } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
      process.destroyForcibly();
      throw e;
    }
  }

  private static BrokerProcess awaitReady(Process process, Path log, Duration timeout)
      throws IOException, InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String output = Files.readString(log);
      int ready = output.indexOf(READY);
      int from = ready + READY.length();
      if (ready >= 0 && output.indexOf(' ', from) > 0) {
        return new BrokerProcess(process, output.substring(from, output.indexOf(' ', from)).trim());
      }
      if (!process.isAlive()) {
        throw new IOException("the broker process stopped (exit " + process.exitValue() + ") before it was ready;"
            + " its output (" + log + "):\n" + output);
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the broker process was not ready within " + timeout.toSeconds() + " s; see " + log);
      }
      Thread.sleep(100);
    }
  }

  /** A port nobody listens on now (the broker binds it a moment later). */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  long pid() {
    return process.pid();
  }

  /** SIGTERM, which the broker command handles by closing the broker; a kill if it has not stopped in 30 s. */
  private void stop() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or ran: the process is gone either way.
    }
  }
}
