package io.segstream.contracts.serde;

import io.segstream.config.SegstreamConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;

/**
 * How the schema registry is reached: its URL (without any {@code user:password@}), the {@code
 * Authorization} header to send, and the TLS context for an {@code https} registry.
 *
 * <p>The settings are Confluent's: HTTP basic credentials from the URL or {@code basic.auth.user.info},
 * or a static bearer token; {@code schema.registry.ssl.*} stores, which mean what Kafka's {@code ssl.*}
 * keys mean and are loaded by Kafka's own {@link DefaultSslEngineFactory} (JKS, PKCS12, PEM). The
 * host name in the certificate is always checked (the JDK HTTP client does). No secret is kept in a
 * form that prints: {@link #toString()} names the URL and the kind of credentials only.
 */
public final class RegistryConnection {

  private static final List<String> SSL_KEYS = List.of(
      SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_LOCATION, SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_PASSWORD,
      SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_TYPE, SegstreamConfig.REGISTRY_SSL_KEYSTORE_LOCATION,
      SegstreamConfig.REGISTRY_SSL_KEYSTORE_PASSWORD, SegstreamConfig.REGISTRY_SSL_KEYSTORE_TYPE,
      SegstreamConfig.REGISTRY_SSL_KEY_PASSWORD);

  private final URI baseUrl;
  private final String authorization;
  private final String authorizationKind;
  private final SSLContext sslContext;

  private RegistryConnection(URI baseUrl, String authorization, String authorizationKind, SSLContext sslContext) {
    this.baseUrl = baseUrl;
    this.authorization = authorization;
    this.authorizationKind = authorizationKind;
    this.sslContext = sslContext;
  }

  /** {@code url} with the JVM's TLS defaults; a {@code user:password@} in it is sent as basic credentials. */
  public static RegistryConnection of(String url) {
    URI uri = parse(url);
    String userInfo = uri.getUserInfo();
    return userInfo == null
        ? new RegistryConnection(uri, null, "none", null)
        : new RegistryConnection(withoutUserInfo(uri), basic(userInfo), "basic (from the URL)", null);
  }

  /** The registry of {@code config}'s {@code schema.registry.url}, with its credentials and TLS stores. */
  public static RegistryConnection fromConfig(SegstreamConfig config) {
    URI uri = parse(config.getString(SegstreamConfig.SCHEMA_REGISTRY_URL));
    boolean bearer = "STATIC_TOKEN".equals(config.getString(SegstreamConfig.REGISTRY_BEARER_AUTH_SOURCE));
    boolean userInfoSource = "USER_INFO".equals(config.getString(SegstreamConfig.REGISTRY_BASIC_AUTH_SOURCE));
    String userInfo = secret(config, SegstreamConfig.REGISTRY_BASIC_AUTH_USER_INFO);
    String token = secret(config, SegstreamConfig.REGISTRY_BEARER_AUTH_TOKEN);
    // A credential that is set but would not be sent is a mistake found now, not as a 401 later.
    if (userInfo != null && !userInfoSource) {
      throw new ConfigException(SegstreamConfig.REGISTRY_BASIC_AUTH_USER_INFO + " is set but "
          + SegstreamConfig.REGISTRY_BASIC_AUTH_SOURCE + " is not USER_INFO, so it would not be sent");
    }
    if (token != null && !bearer) {
      throw new ConfigException(SegstreamConfig.REGISTRY_BEARER_AUTH_TOKEN + " is set but "
          + SegstreamConfig.REGISTRY_BEARER_AUTH_SOURCE + " is not STATIC_TOKEN, so it would not be sent");
    }
    String authorization;
    String kind;
    if (bearer) {
      if (userInfoSource || uri.getUserInfo() != null) {
        throw new ConfigException("the schema registry gets basic credentials or a bearer token, not both: "
            + SegstreamConfig.REGISTRY_BEARER_AUTH_SOURCE + " is STATIC_TOKEN and "
            + (userInfoSource ? SegstreamConfig.REGISTRY_BASIC_AUTH_SOURCE + " is USER_INFO"
                : SegstreamConfig.SCHEMA_REGISTRY_URL + " holds user:password@"));
      }
      authorization = "Bearer " + required(token, SegstreamConfig.REGISTRY_BEARER_AUTH_TOKEN, "STATIC_TOKEN");
      kind = "bearer token";
    } else if (userInfoSource) {
      String credentials = required(userInfo, SegstreamConfig.REGISTRY_BASIC_AUTH_USER_INFO, "USER_INFO");
      if (credentials.indexOf(':') < 0) {
        throw new ConfigException(SegstreamConfig.REGISTRY_BASIC_AUTH_USER_INFO + " must be user:password");
      }
      authorization = basic(credentials);
      kind = "basic (" + SegstreamConfig.REGISTRY_BASIC_AUTH_USER_INFO + ")";
    } else if (uri.getUserInfo() != null) {
      authorization = basic(uri.getUserInfo());
      kind = "basic (from the URL)";
    } else {
      authorization = null;
      kind = "none";
    }
    return new RegistryConnection(withoutUserInfo(uri), authorization, kind, sslContext(config, uri));
  }

  /** {@code url} as it may be shown: any {@code user:password@} in it replaced by {@code [hidden]@}. */
  public static String redacted(String url) {
    try {
      URI uri = new URI(url);
      if (uri.getRawUserInfo() == null) {
        return url;
      }
      return url.replace(uri.getRawUserInfo() + "@", "[hidden]@");
    } catch (URISyntaxException notAUri) {
      return url.contains("@") ? "[hidden]" : url;
    }
  }

  /** The registry's API root, without credentials: safe to show. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** The {@code Authorization} header value, or null when the registry gets no credentials. */
  String authorization() {
    return authorization;
  }

  /** The TLS context for an https registry, or null for the JVM's default. */
  SSLContext sslContext() {
    return sslContext;
  }

  @Override
  public String toString() {
    return baseUrl + " (credentials: " + authorizationKind + (sslContext == null ? "" : ", TLS stores configured") + ")";
  }

  private static URI parse(String url) {
    String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    try {
      return new URI(trimmed);
    } catch (URISyntaxException e) {
      // The reason names the position only; the URL itself may hold a password.
      throw new ConfigException(SegstreamConfig.SCHEMA_REGISTRY_URL + " is not a URL: " + e.getReason()
          + " at index " + e.getIndex());
    }
  }

  private static URI withoutUserInfo(URI uri) {
    try {
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null);
    } catch (URISyntaxException e) {
      throw new ConfigException(SegstreamConfig.SCHEMA_REGISTRY_URL + " is not a URL: " + e.getReason());
    }
  }

  private static String basic(String userInfo) {
    return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
  }

  private static String secret(SegstreamConfig config, String key) {
    Password password = config.getPassword(key);
    return password == null || password.value().isEmpty() ? null : password.value();
  }

  private static String required(String value, String key, String source) {
    if (value == null) {
      throw new ConfigException(key + " must be set when the credentials source is " + source);
    }
    return value;
  }

  /**
   * A TLS context from the {@code schema.registry.ssl.*} stores, or null when none is configured: each
   * key without its {@code schema.registry.} prefix is the Kafka {@code ssl.*} key Kafka's factory reads.
   */
  private static SSLContext sslContext(SegstreamConfig config, URI uri) {
    boolean stores = !config.getString(SegstreamConfig.REGISTRY_SSL_TRUSTSTORE_LOCATION).isEmpty()
        || !config.getString(SegstreamConfig.REGISTRY_SSL_KEYSTORE_LOCATION).isEmpty();
    if (!stores) {
      return null;
    }
    if (!"https".equalsIgnoreCase(uri.getScheme())) {
      throw new ConfigException("schema.registry.ssl.* stores are set but " + SegstreamConfig.SCHEMA_REGISTRY_URL
          + " is not https: " + redacted(uri.toString()));
    }
    Map<String, Object> ssl = new HashMap<>();
    for (String key : SSL_KEYS) {
      Object value = config.values().get(key);
      boolean empty = value instanceof Password password ? password.value().isEmpty() : "".equals(value);
      if (value != null && !empty) {
        ssl.put(key.substring(SegstreamConfig.REGISTRY_SSL_PREFIX.length()), value);
      }
    }
    DefaultSslEngineFactory factory = new DefaultSslEngineFactory();
    try {
      factory.configure(new ConfigDef().withClientSslSupport().parse(ssl));
      return factory.sslContext();
    } catch (KafkaException e) {
      throw new ConfigException("cannot load the schema registry's TLS stores (schema.registry.ssl.*): "
          + e.getMessage());
    }
  }
}
