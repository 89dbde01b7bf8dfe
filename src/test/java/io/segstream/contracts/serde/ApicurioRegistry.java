package io.segstream.contracts.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * A real Apicurio Registry 3 (default in-memory storage) in a child JVM, for tests of the Confluent
 * wire format against the registry segstream is deployed with.
 *
 * <p>{@code scripts/fetch-apicurio.sh} (run by the build before the tests) unpacks the distribution
 * Apicurio publishes on Maven Central into {@code target/apicurio}; this starts its runner jar on a
 * free loopback port with the JVM running the tests. Tests get one through {@link
 * ApicurioRegistryExtension}.
 */
public final class ApicurioRegistry implements AutoCloseable {

  /** The Confluent-compatible API; segstream's {@code schema.registry.url} points here. */
  public static final String CCOMPAT_PATH = "/apis/ccompat/v7";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final String scheme;
  private final int port;
  private final Path log;
  private final HttpClient http;
  private final Thread killOnExit;

  private ApicurioRegistry(Process process, SSLContext tls, int port, Path log) {
    this.process = process;
    this.scheme = tls == null ? "http" : "https";
    this.port = port;
    this.log = log;
    this.http = tls == null ? HttpClient.newHttpClient() : HttpClient.newBuilder().sslContext(tls).build();
    // If the test JVM ends without closing the registry, the child must not outlive it.
    this.killOnExit = new Thread(process::destroyForcibly, "apicurio-registry-kill");
    Runtime.getRuntime().addShutdownHook(killOnExit);
  }

  /** Where the build unpacked the registry: {@code target/apicurio} of this repository. */
  static Path distributionDir() {
    return Paths.get(System.getProperty("segstream.repo.dir", "."), "target", "apicurio");
  }

  /**
   * Starts the registry and waits until {@code /health/ready} answers 200.
   *
   * @throws IllegalStateException when it is not unpacked, exits, or is not ready in time (with its
   *     log's tail)
   */
  public static ApicurioRegistry start() throws IOException, InterruptedException {
    return start(Map.of(), null, "apicurio-registry.log");
  }

  /**
   * Starts one with extra Quarkus or Apicurio {@code settings} (system properties, e.g. {@code
   * quarkus.http.auth.basic}), logging to {@code logName} beside the distribution. With {@code tls} it
   * serves https only ({@code settings} name its keystore, {@code quarkus.http.ssl.certificate.*}), and
   * its readiness check and the helper calls connect with {@code tls}.
   */
  static ApicurioRegistry start(Map<String, String> settings, SSLContext tls, String logName)
      throws IOException, InterruptedException {
    Path dir = distributionDir();
    Path runner;
    try (Stream<Path> files = Files.list(dir)) {
      runner = files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException("no *-runner.jar in " + dir));
    } catch (IOException e) {
      throw new IllegalStateException(
          dir + " is missing (" + e + "); run scripts/fetch-apicurio.sh to unpack Apicurio Registry");
    }
    int port = freePort();
    Path log = dir.resolveSibling(logName);
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java,
        // Small and quick to start: two cores are shared with the build and the tests.
        "-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dquarkus.http.host=127.0.0.1"));
    if (tls == null) {
      command.add("-Dquarkus.http.port=" + port);
    } else {
      // The plain port is not opened at all with insecure requests disabled; a free one all the same.
      command.addAll(List.of("-Dquarkus.http.ssl-port=" + port, "-Dquarkus.http.port=" + freePort(),
          "-Dquarkus.http.insecure-requests=disabled"));
    }
    settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.addAll(List.of("-jar", runner.toString()));
    Process process = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    ApicurioRegistry registry = new ApicurioRegistry(process, tls, port, log);
    try {
      registry.awaitReady();
      return registry;
    } catch (IllegalStateException | InterruptedException e) {
      registry.close();
      throw e;
    }
  }

  private void awaitReady() throws InterruptedException {
    URI ready = URI.create(rootUrl() + "/health/ready");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Apicurio Registry exited with status " + process.exitValue() + "; log:\n" + logTail());
      }
      try {
        if (http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notListeningYet) {
        // keep polling
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        "Apicurio Registry not ready after " + START_TIMEOUT.toSeconds() + " s; log:\n" + logTail());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  public String rootUrl() {
    return scheme + "://127.0.0.1:" + port;
  }

  /** The value for segstream's {@code schema.registry.url}. */
  public String ccompatUrl() {
    return rootUrl() + CCOMPAT_PATH;
  }

  /** A REST answer of the registry: HTTP status and JSON body. */
  public record Reply(int status, JsonNode body) {}

  /** {@code GET} on the Confluent-compatible API, e.g. {@code /subjects/frames-value/versions/latest}. */
  public Reply get(String path) {
    return call(HttpRequest.newBuilder(URI.create(ccompatUrl() + path)).GET());
  }

  /** {@code method} with a JSON body on the Confluent-compatible API. */
  public Reply send(String method, String path, Object body) {
    try {
      return call(HttpRequest.newBuilder(URI.create(ccompatUrl() + path))
          .header("Content-Type", "application/vnd.schemaregistry.v1+json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Reply call(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(
          request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      String body = response.body();
      return new Reply(response.statusCode(), body.isEmpty() ? null : JSON.readTree(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops the registry (Quarkus shuts down on SIGTERM) and waits for the process to end. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
