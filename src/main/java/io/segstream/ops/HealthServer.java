package io.segstream.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Liveness, readiness and Prometheus metrics over HTTP, for Kubernetes probes and scrapers.
 *
 * <p>{@code /healthz} answers 200 while the process can serve at all (a stream thread that died
 * turns it 503); {@code /readyz} is 200 only when every readiness check passes (model warm, Kafka
 * Streams RUNNING); {@code /metrics} is the Prometheus text format.
 */
public final class HealthServer implements AutoCloseable {

  /** A named yes/no check; the name is shown in the response body. */
  public record Check(String name, BooleanSupplier passing) {}

  private final HttpServer server;

  public HealthServer(
      int port, List<Check> liveness, List<Check> readiness, PrometheusMeterRegistry registry)
      throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 0);
    server.createContext("/healthz", exchange -> respondToChecks(exchange, liveness));
    server.createContext("/readyz", exchange -> respondToChecks(exchange, readiness));
    server.createContext(
        "/metrics",
        exchange ->
            respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    server.setExecutor(Executors.newSingleThreadExecutor(daemon("segstream-http")));
    server.start();
  }

  /** The bound port (useful when 0 was asked for). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respondToChecks(HttpExchange exchange, List<Check> checks) throws IOException {
    StringBuilder body = new StringBuilder();
    boolean allPass = true;
    for (Check check : checks) {
      boolean pass = check.passing().getAsBoolean();
      allPass &= pass;
      body.append(check.name()).append(pass ? " ok" : " failing").append('\n');
    }
    respond(exchange, allPass ? 200 : 503, "text/plain; charset=utf-8", body.toString());
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
