package io.segstream.topology;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * What a dead-letter record carries besides the original key and value: the original headers plus
 * {@code segstream.error.*} headers saying what failed, where, and which record it was.
 */
public final class DeadLetters {

  /** Human-readable reason, e.g. "image is 5000x5000 = 25000000 pixels, above max.frame.pixels=...". */
  public static final String REASON = "segstream.error.reason";
  /** Machine-readable code, e.g. TOO_MANY_PIXELS, BAD_RECORD, MODEL_ERROR. */
  public static final String CODE = "segstream.error.code";
  /** Processing stage that failed: parse, decode, segment, or a processor or output name. */
  public static final String STAGE = "segstream.error.stage";
  /** Class name of the exception behind the failure. */
  public static final String EXCEPTION = "segstream.error.exception";
  public static final String SOURCE_TOPIC = "segstream.error.source.topic";
  public static final String SOURCE_PARTITION = "segstream.error.source.partition";
  public static final String SOURCE_OFFSET = "segstream.error.source.offset";

  private static final String PREFIX = "segstream.error.";

  /** Codes for failures outside image decoding (those use {@code FrameRejectedException.Reason}). */
  public static final String BAD_RECORD = "BAD_RECORD";
  public static final String MODEL_ERROR = "MODEL_ERROR";
  public static final String OUTPUT_ERROR = "OUTPUT_ERROR";
  public static final String UNEXPECTED_ERROR = "UNEXPECTED_ERROR";

  private DeadLetters() {}

  /** Where a failed record came from; partition -1 and offset -1 when unknown. */
  public record Source(String topic, int partition, long offset) {}

  /** A failure: which stage, its code, the reason, and the exception behind it. */
  public record Failure(String stage, String code, String reason, Throwable exception) {}

  /**
   * A copy of {@code original} (minus any earlier {@code segstream.error.*} headers, so a record
   * replayed from the dead-letter topic does not accumulate them) with the failure's headers added.
   */
  public static Headers headers(Headers original, Failure failure, Source source) {
    RecordHeaders headers = new RecordHeaders();
    if (original != null) {
      for (Header header : original) {
        if (!header.key().startsWith(PREFIX)) {
          headers.add(header);
        }
      }
    }
    add(headers, REASON, failure.reason());
    add(headers, CODE, failure.code());
    add(headers, STAGE, failure.stage());
    add(headers, EXCEPTION, failure.exception() == null ? "" : failure.exception().getClass().getName());
    if (source != null) {
      add(headers, SOURCE_TOPIC, source.topic() == null ? "" : source.topic());
      add(headers, SOURCE_PARTITION, Integer.toString(source.partition()));
      add(headers, SOURCE_OFFSET, Long.toString(source.offset()));
    }
    return headers;
  }

  /**
   * The dead-letter record for the source record of an error-handler callback: its original key,
   * value and headers, plus the failure's headers.
   */
  static ProducerRecord<byte[], byte[]> forHandlerContext(
      String deadLetterTopic, ErrorHandlerContext context, Failure failure) {
    Source source = new Source(context.topic(), context.partition(), context.offset());
    return new ProducerRecord<>(
        deadLetterTopic,
        null,
        context.timestamp() < 0 ? null : context.timestamp(),
        context.sourceRawKey(),
        context.sourceRawValue(),
        headers(context.headers(), failure, source));
  }

  /** The value of header {@code key} as a string, or null when absent. */
  public static String header(Headers headers, String key) {
    Header header = headers.lastHeader(key);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  /** The exception's message, or its class name when it has none. */
  static String describe(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static void add(Headers headers, String key, String value) {
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
