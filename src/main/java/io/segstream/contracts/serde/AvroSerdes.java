package io.segstream.contracts.serde;

import io.segstream.config.SegstreamConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The serde for a contract type, as configured: Avro single-object encoding by default, the Confluent
 * wire format when {@code schema.registry.url} is set (with the registry's credentials and TLS stores).
 */
public final class AvroSerdes {

  private final SchemaRegistryClient registry;

  private AvroSerdes(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  /** Serdes for {@code config}; those made by one instance share one registry client and its cache. */
  public static AvroSerdes fromConfig(SegstreamConfig config) {
    String url = config.getString(SegstreamConfig.SCHEMA_REGISTRY_URL);
    return url == null || url.isBlank() ? singleObject() : new AvroSerdes(new SchemaRegistryClient(RegistryConnection.fromConfig(config)));
  }

  public static AvroSerdes singleObject() {
    return new AvroSerdes(null);
  }

  public static AvroSerdes registry(SchemaRegistryClient registry) {
    return new AvroSerdes(registry);
  }

  /** A value serde for {@code type}. */
  public <T extends SpecificRecord> Serde<T> forValues(Class<T> type) {
    return registry == null
        ? new SingleObjectAvroSerde<>(type)
        : new RegistryAvroSerde<>(type, registry, false);
  }

  public boolean usesRegistry() {
    return registry != null;
  }
}
