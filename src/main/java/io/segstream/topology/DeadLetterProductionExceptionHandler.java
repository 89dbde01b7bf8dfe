package io.segstream.topology;

import io.segstream.contracts.serde.SchemaRegistryUnavailableException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures writing an output record. Those that concern only that record (it cannot be serialized, or
 * it is too large for the broker) dead-letter the source frame and continue; anything else (broker,
 * network or schema registry trouble) fails the task, as Kafka Streams' default handling does,
 * rather than silently losing output.
 */
public final class DeadLetterProductionExceptionHandler extends DefaultProductionExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionExceptionHandler.class);

  private String deadLetterTopic;

  @Override
  public void configure(Map<String, ?> configs) {
    super.configure(configs);
    Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    deadLetterTopic = topic == null ? null : topic.toString();
  }

  @Override
  public Response handleError(
      ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
    if (exception instanceof RecordTooLargeException) {
      return skip(context, record.topic(), "output record too large: " + DeadLetters.describe(exception), exception);
    }
    return super.handleError(context, record, exception);
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Response handleSerializationError(
      ErrorHandlerContext context,
      ProducerRecord record,
      Exception exception,
      SerializationExceptionOrigin origin) {
    if (exception instanceof SchemaRegistryUnavailableException) {
      LOG.error("schema registry unavailable writing to {}; stopping", record.topic(), exception);
      return Response.fail();
    }
    return skip(
        context,
        record.topic(),
        "cannot serialize output " + origin.name().toLowerCase() + ": " + DeadLetters.describe(exception),
        exception);
  }

  private Response skip(ErrorHandlerContext context, String outputTopic, String reason, Exception exception) {
    LOG.error("dropping output to {} for {}-{}@{}: {}",
        outputTopic, context.topic(), context.partition(), context.offset(), reason);
    boolean canDeadLetter =
        deadLetterTopic != null
            && !deadLetterTopic.isBlank()
            && !deadLetterTopic.equals(outputTopic)
            && context.sourceRawValue() != null;
    if (!canDeadLetter) {
      return Response.resume();
    }
    DeadLetters.Failure failure =
        new DeadLetters.Failure("output:" + outputTopic, DeadLetters.OUTPUT_ERROR, reason, exception);
    return Response.resume(List.of(DeadLetters.forHandlerContext(deadLetterTopic, context, failure)));
  }
}
