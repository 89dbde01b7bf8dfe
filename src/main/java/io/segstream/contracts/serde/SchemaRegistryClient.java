package io.segstream.contracts.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.segstream.config.SegstreamConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.apache.avro.Schema;

/**
 * The calls of the Confluent schema registry REST API that serdes need, with caching.
 *
 * <p>Works against Confluent Schema Registry and against Apicurio Registry's compatibility API (base
 * URL {@code http://host:8080/apis/ccompat/v7}; tested against Apicurio Registry 3.0.9). Schemas are
 * immutable per id, so both lookups are cached for the life of the client. Thread-safe.
 *
 * <p>Failures are sorted by whose fault they are. Only the registry saying it has no such schema (HTTP
 * 404 with Confluent error code 40401, 40402 or 40403) is about the request: an {@link IOException},
 * which makes the record a bad record. Anything else (no answer, HTTP 5xx, a 404 from a URL that is not
 * the registry's API, credentials missing or refused (401/403), a TLS handshake refused, the compiled-in
 * schema refused as incompatible) would fail every record alike: a {@link
 * SchemaRegistryUnavailableException}, which stops the processor.
 *
 * <p>Credentials and TLS stores come with the {@link RegistryConnection}; messages name the URL without
 * any {@code user:password@}.
 */
public final class SchemaRegistryClient {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Confluent error codes of HTTP 404 answers: subject, version, schema not found. */
  private static final Set<Integer> NOT_FOUND_CODES = Set.of(40401, 40402, 40403);

  private final URI baseUrl;
  /** The Authorization header, or null; never printed. */
  private final String authorization;
  private final HttpClient http;
  private final Duration timeout;
  private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  /** A client of {@code baseUrl}; a {@code user:password@} in it is sent as basic credentials. */
  public SchemaRegistryClient(String baseUrl) {
    this(RegistryConnection.of(baseUrl), Duration.ofSeconds(30));
  }

  public SchemaRegistryClient(String baseUrl, Duration timeout) {
    this(RegistryConnection.of(baseUrl), timeout);
  }

  public SchemaRegistryClient(RegistryConnection connection) {
    this(connection, Duration.ofSeconds(30));
  }

  public SchemaRegistryClient(RegistryConnection connection, Duration timeout) {
    this.baseUrl = connection.baseUrl();
    this.authorization = connection.authorization();
    this.timeout = timeout;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
    if (connection.sslContext() != null) {
      builder.sslContext(connection.sslContext());
    }
    this.http = builder.build();
  }

  public URI baseUrl() {
    return baseUrl;
  }

  /**
   * Registers {@code schema} under {@code subject} (a no-op returning the existing id if it is
   * already there) and returns its global id. Every failure is a {@link
   * SchemaRegistryUnavailableException}: the schema is the compiled-in one, the same for every record.
   */
  public int register(String subject, Schema schema) throws IOException {
    String key = subject + '\u0000' + schema.toString();
    Integer cached = idsBySubjectAndSchema.get(key);
    if (cached != null) {
      return cached;
    }
    String body =
        JSON.writeValueAsString(Map.of("schema", schema.toString(), "schemaType", "AVRO"));
    JsonNode reply =
        call(
            HttpRequest.newBuilder(resolve("/subjects/" + encode(subject) + "/versions"))
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)),
            "register schema under subject " + subject, Set.of());
    JsonNode id = reply.get("id");
    if (id == null || !id.canConvertToInt()) {
      throw new IOException("schema registry answered registration without an id: " + reply);
    }
    idsBySubjectAndSchema.put(key, id.intValue());
    schemasById.putIfAbsent(id.intValue(), schema);
    return id.intValue();
  }

  /**
   * The schema with global id {@code id}, with the schemas it references (Confluent schema
   * references: named types registered under their own subjects) resolved.
   *
   * @throws IOException when the registry has no schema {@code id} (or one it references)
   */
  public Schema schemaById(int id) throws IOException {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    if (id <= 0) {
      // Registries number schemas from 1; do not ask about what a corrupt record made up.
      throw new IOException("schema id " + id + " cannot exist: registry ids are positive");
    }
    JsonNode reply = call(HttpRequest.newBuilder(resolve("/schemas/ids/" + id)).GET(),
        "fetch schema id " + id, NOT_FOUND_CODES);
    Schema.Parser parser = new Schema.Parser();
    parseReferences(reply, parser, new HashSet<>());
    Schema schema = parser.parse(schemaText(reply, "schema id " + id));
    schemasById.putIfAbsent(id, schema);
    return schema;
  }

  /** Parses the schemas {@code reply} references, depth first, so that its own text can use them. */
  private void parseReferences(JsonNode reply, Schema.Parser parser, Set<String> parsed) throws IOException {
    JsonNode references = reply.get("references");
    if (references == null || !references.isArray()) {
      return;
    }
    for (JsonNode reference : references) {
      String subject = reference.path("subject").asText();
      String version = reference.path("version").asText();
      if (subject.isEmpty() || version.isEmpty()) {
        throw new IOException("schema registry answered a reference without subject or version: " + reference);
      }
      if (!parsed.add(subject + '\u0000' + version)) {
        continue;
      }
      JsonNode referenced = call(
          HttpRequest.newBuilder(resolve("/subjects/" + encode(subject) + "/versions/" + encode(version)))
              .GET(),
          "fetch version " + version + " of subject " + subject + " (a schema reference)", NOT_FOUND_CODES);
      parseReferences(referenced, parser, parsed);
      parser.parse(schemaText(referenced, "subject " + subject + " version " + version));
    }
  }

  private static String schemaText(JsonNode reply, String what) throws IOException {
    JsonNode text = reply.get("schema");
    if (text == null || !text.isTextual()) {
      throw new IOException("schema registry answered " + what + " without a schema");
    }
    JsonNode type = reply.get("schemaType");
    if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
      throw new IOException(what + " is " + type.asText() + ", not AVRO");
    }
    return text.asText();
  }

  /**
   * One request. A 404 answer carrying one of {@code requestErrorCodes} (Confluent's {@code
   * error_code}) is an {@link IOException} about the request; any other failure is a {@link
   * SchemaRegistryUnavailableException}.
   */
  private JsonNode call(HttpRequest.Builder request, String what, Set<Integer> requestErrorCodes)
      throws IOException {
    HttpResponse<String> response;
    request.timeout(timeout).header("Accept", CONTENT_TYPE + ", application/json");
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (SSLException e) {
      throw new SchemaRegistryUnavailableException("schema registry " + baseUrl + " refused the TLS connection"
          + " when trying to " + what + ": " + e + " (does " + SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_LOCATION
          + " hold its CA, and, if it requires client certificates, "
          + SegstreamConfig.REGISTRY_SSL_KEYSTORE_LOCATION + " one it trusts?)", e);
    } catch (IOException e) {
      throw new SchemaRegistryUnavailableException(
          "schema registry " + baseUrl + " unreachable when trying to " + what + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryUnavailableException("interrupted while trying to " + what, e);
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      try {
        return JSON.readTree(response.body());
      } catch (IOException e) {
        throw new IOException("schema registry sent invalid JSON when asked to " + what, e);
      }
    }
    String failure =
        "schema registry " + baseUrl + " refused to " + what + ": HTTP " + status + " " + response.body();
    if (status == 401 || status == 403) {
      failure += " (credentials " + (authorization == null ? "missing" : "refused") + ": set "
          + SegstreamConfig.REGISTRY_BASIC_AUTH_SOURCE + "=USER_INFO with " + SegstreamConfig.REGISTRY_BASIC_AUTH_USER_INFO
          + ", user:password@ in " + SegstreamConfig.SCHEMA_REGISTRY_URL + ", or "
          + SegstreamConfig.REGISTRY_BEARER_AUTH_SOURCE + "=STATIC_TOKEN with " + SegstreamConfig.REGISTRY_BEARER_AUTH_TOKEN
          + ")";
    }
    Integer errorCode = errorCode(response.body());
    if (status == 404 && errorCode != null && requestErrorCodes.contains(errorCode)) {
      throw new IOException(failure);
    }
    if (status == 404 && (errorCode == null || errorCode == 404)) {
      // Not one of the API's own answers: the URL is wrong, so every record would fail.
      failure += " (is " + SegstreamConfig.SCHEMA_REGISTRY_URL + " the registry's Confluent-compatible"
          + " API? For Apicurio Registry 3 it is http://host:8080/apis/ccompat/v7)";
    }
    throw new SchemaRegistryUnavailableException(failure, null);
  }

  /** Confluent's {@code error_code} in an error answer, or null when there is none. */
  private static Integer errorCode(String body) {
    try {
      JsonNode code = JSON.readTree(body).get("error_code");
      return code != null && code.canConvertToInt() ? code.intValue() : null;
    } catch (IOException | RuntimeException notJson) {
      return null;
    }
  }

  private URI resolve(String path) {
    return URI.create(baseUrl + path);
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
