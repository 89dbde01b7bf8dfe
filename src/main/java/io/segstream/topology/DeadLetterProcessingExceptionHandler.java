package io.segstream.topology;

import io.segstream.contracts.serde.SchemaRegistryUnavailableException;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safety net for exceptions the pipeline's steps did not expect (bugs): the source record goes to the
 * dead-letter topic with the same headers as expected failures, and processing continues. An
 * unavailable schema registry is the exception: it is no fault of the record, so processing stops.
 * That includes one met writing an output: the sink's serializer runs inside the processor's {@code
 * forward}, so the production handler's failure reaches this handler wrapped in a StreamsException.
 */
public final class DeadLetterProcessingExceptionHandler implements ProcessingExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingExceptionHandler.class);

  private String deadLetterTopic;

  @Override
  public void configure(Map<String, ?> configs) {
    Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    deadLetterTopic = topic == null ? null : topic.toString();
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    if (causedByUnavailableRegistry(exception)) {
      LOG.error("schema registry unavailable in {}; stopping rather than dead-lettering good frames",
          context.processorNodeId(), exception);
      return Response.fail();
    }
    LOG.error(
        "unexpected error in {} for {}-{}@{}; dead-lettering the record and continuing",
        context.processorNodeId(), context.topic(), context.partition(), context.offset(), exception);
    if (deadLetterTopic == null || deadLetterTopic.isBlank()) {
      return Response.resume();
    }
    DeadLetters.Failure failure =
        new DeadLetters.Failure(
            context.processorNodeId(),
            DeadLetters.UNEXPECTED_ERROR,
            "unexpected error: " + DeadLetters.describe(exception),
            exception);
    return Response.resume(
        List.of(DeadLetters.forHandlerContext(deadLetterTopic, context, failure)));
  }

  private static boolean causedByUnavailableRegistry(Throwable exception) {
    for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
      if (cause instanceof SchemaRegistryUnavailableException) {
        return true;
      }
    }
    return false;
  }
}
