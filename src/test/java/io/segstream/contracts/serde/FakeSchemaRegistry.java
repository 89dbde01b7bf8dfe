package io.segstream.contracts.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process stand-in for the Confluent-compatible API of Apicurio Registry 3
 * ({@code /apis/ccompat/v7}): register a schema under a subject, fetch a schema by id.
 */
public final class FakeSchemaRegistry implements AutoCloseable {

  static final String BASE_PATH = "/apis/ccompat/v7";
  private static final Pattern REGISTER = Pattern.compile(BASE_PATH + "/subjects/([^/]+)/versions");
  private static final Pattern BY_ID = Pattern.compile(BASE_PATH + "/schemas/ids/(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Map<String, Integer> idsBySchema = new LinkedHashMap<>();
  private final Map<Integer, String> schemasById = new LinkedHashMap<>();
  private final List<String> subjects = new ArrayList<>();
  final AtomicInteger requests = new AtomicInteger();
  /** When set, every request gets HTTP 500. */
  public volatile boolean failing;

  public FakeSchemaRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(BASE_PATH, this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + BASE_PATH;
  }

  public synchronized List<String> subjects() {
    return List.copyOf(subjects);
  }

  /** Registers a schema directly, as another producer would have. */
  synchronized int put(String subject, String schema) {
    subjects.add(subject);
    return idsBySchema.computeIfAbsent(schema, s -> {
      int id = idsBySchema.size() + 101;
      schemasById.put(id, s);
      return id;
    });
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      if (failing) {
        reply(exchange, 500, Map.of("error_code", 50001, "message", "registry is down"));
        return;
      }
      String path = exchange.getRequestURI().getRawPath();
      Matcher register = REGISTER.matcher(path);
      Matcher byId = BY_ID.matcher(path);
      if (register.matches() && "POST".equals(exchange.getRequestMethod())) {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        String subject = URLDecoder.decode(register.group(1), StandardCharsets.UTF_8);
        reply(exchange, 200, Map.of("id", put(subject, body.get("schema").asText())));
      } else if (byId.matches() && "GET".equals(exchange.getRequestMethod())) {
        String schema;
        synchronized (this) {
          schema = schemasById.get(Integer.parseInt(byId.group(1)));
        }
        if (schema == null) {
          reply(exchange, 404, Map.of("error_code", 40403, "message", "Schema not found"));
        } else {
          reply(exchange, 200, Map.of("schema", schema));
        }
      } else {
        reply(exchange, 404, Map.of("error_code", 404, "message", "no route " + path));
      }
    }
  }

  private static void reply(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
