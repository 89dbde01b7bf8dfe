package io.segstream.contracts.serde;

import org.apache.kafka.common.KafkaException;

/**
 * The schema registry could not be asked (network error, timeout, HTTP 5xx). Unlike a record the
 * registry has no schema for, this says nothing about the record, so it must not dead-letter it: the
 * processor stops and is restarted instead of emptying the frames topic into the dead-letter topic.
 */
public class SchemaRegistryUnavailableException extends KafkaException {

  public SchemaRegistryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
