package io.segstream.contracts.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
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
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * An in-process stand-in for the Confluent-compatible API of Apicurio Registry 3
 * ({@code /apis/ccompat/v7}): register a schema under a subject, fetch a schema by id or by subject and
 * version, with schema references. Its answers copy those of the real registry ({@link
 * ApicurioRegistry}, see ApicurioRegistrySerdeTest).
 */
public final class FakeSchemaRegistry implements AutoCloseable {

  static final String BASE_PATH = "/apis/ccompat/v7";
  private static final Pattern REGISTER = Pattern.compile(BASE_PATH + "/subjects/([^/]+)/versions");
  private static final Pattern BY_ID = Pattern.compile(BASE_PATH + "/schemas/ids/(-?\\d+)");
  private static final Pattern BY_VERSION = Pattern.compile(BASE_PATH + "/subjects/([^/]+)/versions/(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  /** The Authorization header every request must carry, or null when none is required. */
  private final String requiredAuthorization;
  private final Map<String, Integer> idsBySchema = new LinkedHashMap<>();
  private final Map<Integer, String> schemasById = new LinkedHashMap<>();
  private final Map<Integer, List<Map<String, Object>>> referencesById = new LinkedHashMap<>();
  private final Map<String, List<Integer>> idsBySubject = new LinkedHashMap<>();
  private final List<String> subjects = new ArrayList<>();
  final AtomicInteger requests = new AtomicInteger();
  /** When set, every request gets HTTP 500. */
  public volatile boolean failing;
  /** When set, registrations are refused as incompatible (HTTP 409). */
  public volatile boolean refusingRegistrations;

  public FakeSchemaRegistry() throws IOException {
    this(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), null);
  }

  private FakeSchemaRegistry(HttpServer server, String requiredAuthorization) {
    this.server = server;
    this.requiredAuthorization = requiredAuthorization;
    server.createContext(BASE_PATH, this::handle);
    server.start();
  }

  /**
   * A registry served over https only with {@code tls} (client certificates required when {@code
   * clientCertificates}), answering 401 to every request whose {@code Authorization} header is not
   * {@code requiredAuthorization} (e.g. {@code "Bearer abc"}), as a registry behind authentication does.
   */
  public static FakeSchemaRegistry secured(SSLContext tls, boolean clientCertificates, String requiredAuthorization)
      throws IOException {
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters parameters) {
        SSLParameters ssl = tls.getDefaultSSLParameters();
        ssl.setNeedClientAuth(clientCertificates);
        parameters.setSSLParameters(ssl);
      }
    });
    return new FakeSchemaRegistry(server, requiredAuthorization);
  }

  public String url() {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return scheme + "://127.0.0.1:" + server.getAddress().getPort() + BASE_PATH;
  }

  public synchronized List<String> subjects() {
    return List.copyOf(subjects);
  }

  /** Registers a schema directly, as another producer would have. */
  synchronized int put(String subject, String schema) {
    return put(subject, schema, List.of());
  }

  /**
   * Registers a schema that uses named types of other subjects; each reference is a map with the
   * type's {@code name}, its {@code subject} and {@code version}.
   */
  synchronized int put(String subject, String schema, List<Map<String, Object>> references) {
    subjects.add(subject);
    int id = idsBySchema.computeIfAbsent(schema, s -> {
      int next = idsBySchema.size() + 101;
      schemasById.put(next, s);
      referencesById.put(next, references);
      return next;
    });
    List<Integer> versions = idsBySubject.computeIfAbsent(subject, k -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      if (requiredAuthorization != null
          && !requiredAuthorization.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"registry\"");
        reply(exchange, 401, Map.of("error_code", 401, "message", "Unauthorized"));
        return;
      }
      if (failing) {
        reply(exchange, 500, Map.of("error_code", 50001, "message", "registry is down"));
        return;
      }
      String path = exchange.getRequestURI().getRawPath();
      Matcher register = REGISTER.matcher(path);
      Matcher byId = BY_ID.matcher(path);
      Matcher byVersion = BY_VERSION.matcher(path);
      if (register.matches() && "POST".equals(exchange.getRequestMethod())) {
        if (refusingRegistrations) {
          reply(exchange, 409, Map.of("error_code", 409,
              "message", "Schema being registered is incompatible with an earlier schema"));
          return;
        }
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        String subject = URLDecoder.decode(register.group(1), StandardCharsets.UTF_8);
        reply(exchange, 200, Map.of("id", put(subject, body.get("schema").asText())));
      } else if (byId.matches() && "GET".equals(exchange.getRequestMethod())) {
        int id = Integer.parseInt(byId.group(1));
        synchronized (this) {
          if (schemasById.containsKey(id)) {
            reply(exchange, 200, Map.of("schema", schemasById.get(id), "schemaType", "AVRO",
                "references", referencesById.get(id)));
          } else {
            reply(exchange, 404, Map.of("error_code", 40403, "message", "No content with ID '" + id + "' was found."));
          }
        }
      } else if (byVersion.matches() && "GET".equals(exchange.getRequestMethod())) {
        String subject = URLDecoder.decode(byVersion.group(1), StandardCharsets.UTF_8);
        int version = Integer.parseInt(byVersion.group(2));
        synchronized (this) {
          List<Integer> versions = idsBySubject.get(subject);
          if (versions == null) {
            reply(exchange, 404, Map.of("error_code", 40401, "message", "No artifact with ID '" + subject + "'"));
          } else if (version < 1 || version > versions.size()) {
            reply(exchange, 404, Map.of("error_code", 40402, "message", "No version '" + version + "'"));
          } else {
            int id = versions.get(version - 1);
            reply(exchange, 200, Map.of("subject", subject, "version", version, "id", id,
                "schema", schemasById.get(id), "schemaType", "AVRO", "references", referencesById.get(id)));
          }
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
