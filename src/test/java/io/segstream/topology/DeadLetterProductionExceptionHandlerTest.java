package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.SerializationExceptionOrigin;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeadLetterProductionExceptionHandlerTest {

  private static final byte[] KEY = "cam-1".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = {1, 2, 3};

  private final DeadLetterProductionExceptionHandler handler = new DeadLetterProductionExceptionHandler();
  private final ErrorHandlerContext context = new ErrorHandlerContext() {
    private final Headers headers = new RecordHeaders().add("trace-id", new byte[] {7});

    @Override public String topic() { return "frames"; }
    @Override public int partition() { return 2; }
    @Override public long offset() { return 41; }
    @Override public Headers headers() { return headers; }
    @Override public String processorNodeId() { return SegmentationTopology.MASKS_SINK; }
    @Override public TaskId taskId() { return new TaskId(0, 2); }
    @Override public long timestamp() { return 1_000L; }
    @Override public byte[] sourceRawKey() { return KEY; }
    @Override public byte[] sourceRawValue() { return VALUE; }
  };

  @BeforeEach
  void configure() {
    handler.configure(Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "frames-dlq"));
  }

  @Test
  void oversizedOutputDeadLettersTheSourceFrameAndContinues() {
    Response response = handler.handleError(context,
        new ProducerRecord<>("masks", new byte[1], new byte[10]), new RecordTooLargeException("too big"));

    assertEquals(Result.RESUME, response.result());
    List<ProducerRecord<byte[], byte[]>> dead = response.deadLetterQueueRecords();
    assertEquals(1, dead.size());
    ProducerRecord<byte[], byte[]> record = dead.get(0);
    assertEquals("frames-dlq", record.topic());
    assertArrayEquals(KEY, record.key());
    assertArrayEquals(VALUE, record.value());
    assertEquals(DeadLetters.OUTPUT_ERROR, DeadLetters.header(record.headers(), DeadLetters.CODE));
    assertEquals("output:masks", DeadLetters.header(record.headers(), DeadLetters.STAGE));
    assertEquals("41", DeadLetters.header(record.headers(), DeadLetters.SOURCE_OFFSET));
    assertArrayEquals(new byte[] {7}, record.headers().lastHeader("trace-id").value());
  }

  @Test
  void unserializableOutputDeadLettersTheSourceFrame() {
    Response response = handler.handleSerializationError(context,
        new ProducerRecord<>("class-areas", "k", "v"), new SerializationException("bad"),
        SerializationExceptionOrigin.VALUE);
    assertEquals(Result.RESUME, response.result());
    assertTrue(DeadLetters.header(response.deadLetterQueueRecords().get(0).headers(), DeadLetters.REASON)
        .contains("cannot serialize output value"));
  }

  @Test
  void clusterProblemsAreNotSwallowed() {
    Response response = handler.handleError(context,
        new ProducerRecord<>("masks", new byte[1], new byte[10]), new TopicAuthorizationException("no ACL"));
    assertEquals(Result.FAIL, response.result());
  }
}
