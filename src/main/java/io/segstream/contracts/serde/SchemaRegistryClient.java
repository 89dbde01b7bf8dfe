package io.segstream.contracts.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * The two calls of the Confluent schema registry REST API that serdes need, with caching.
 *
 * <p>Works against Confluent Schema Registry and against Apicurio Registry's compatibility API (base
 * URL {@code http://host:8080/apis/ccompat/v7}). Schemas are immutable per id, so both lookups are
 * cached for the life of the client. Thread-safe.
 */
public final class SchemaRegistryClient {

  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI baseUrl;
  private final HttpClient http;
  private final Duration timeout;
  private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  public SchemaRegistryClient(String baseUrl) {
    this(baseUrl, Duration.ofSeconds(30));
  }

  public SchemaRegistryClient(String baseUrl, Duration timeout) {
    String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.baseUrl = URI.create(trimmed);
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public URI baseUrl() {
    return baseUrl;
  }

  /**
   * Registers {@code schema} under {@code subject} (a no-op returning the existing id if it is
   * already there) and returns its global id.
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
            "register schema under subject " + subject);
    JsonNode id = reply.get("id");
    if (id == null || !id.canConvertToInt()) {
      throw new IOException("schema registry answered registration without an id: " + reply);
    }
    idsBySubjectAndSchema.put(key, id.intValue());
    schemasById.putIfAbsent(id.intValue(), schema);
    return id.intValue();
  }

  /** The schema with global id {@code id}. */
  public Schema schemaById(int id) throws IOException {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode reply =
        call(HttpRequest.newBuilder(resolve("/schemas/ids/" + id)).GET(), "fetch schema id " + id);
    JsonNode text = reply.get("schema");
    if (text == null || !text.isTextual()) {
      throw new IOException("schema registry answered schema id " + id + " without a schema");
    }
    JsonNode type = reply.get("schemaType");
    if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
      throw new IOException("schema id " + id + " is " + type.asText() + ", not AVRO");
    }
    Schema schema = new Schema.Parser().parse(text.asText());
    schemasById.putIfAbsent(id, schema);
    return schema;
  }

  /**
   * One request. A 4xx answer is an {@link IOException} about the request (e.g. an unknown id);
   * not getting an answer, or a 5xx one, is a {@link SchemaRegistryUnavailableException}.
   */
  private JsonNode call(HttpRequest.Builder request, String what) throws IOException {
    HttpResponse<String> response;
    try {
      response =
          http.send(
              request.timeout(timeout).header("Accept", CONTENT_TYPE + ", application/json").build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new SchemaRegistryUnavailableException(
          "schema registry " + baseUrl + " unreachable when trying to " + what + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryUnavailableException("interrupted while trying to " + what, e);
    }
    String failure =
        "schema registry " + baseUrl + " refused to " + what + ": HTTP " + response.statusCode()
            + " " + response.body();
    if (response.statusCode() >= 500) {
      throw new SchemaRegistryUnavailableException(failure, null);
    }
    if (response.statusCode() / 100 != 2) {
      throw new IOException(failure);
    }
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new IOException("schema registry sent invalid JSON when asked to " + what, e);
    }
  }

  private URI resolve(String path) {
    return URI.create(baseUrl + path);
  }

  private static String encode(String pathSegment) {
    return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
