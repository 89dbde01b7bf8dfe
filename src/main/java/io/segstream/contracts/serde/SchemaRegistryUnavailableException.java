package io.segstream.contracts.serde;

import org.apache.kafka.common.KafkaException;

/**
 * The schema registry cannot be used: no answer, a timeout, HTTP 5xx, or a refusal that every record
 * would get alike (the URL is not the registry's API, credentials refused, the compiled-in schema
 * refused as incompatible with its subject). Unlike a record the registry has no schema for, this says
 * nothing about the record, so it must not dead-letter it: the processor stops and is restarted
 * (after the deployment is fixed) instead of emptying the frames topic into the dead-letter topic.
 */
public class SchemaRegistryUnavailableException extends KafkaException {

  public SchemaRegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
