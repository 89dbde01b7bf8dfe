package io.segstream.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.ops.EmbeddedKafkaBroker;
import io.segstream.topology.SegstreamApp;
import io.segstream.topology.TestSegmenters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The broker goes down and comes back (same ports, same data) while frames flow: the processor rides
 * it out and every frame sent still gets its mask.
 */
@Tag("reliability")
@Timeout(240)
class BrokerOutageTest {

  private static final int FRAMES = 300;
  private static final Duration FRAME_INTERVAL = Duration.ofMillis(10);
  private static final Duration OUTAGE = Duration.ofSeconds(5);

  @ParameterizedTest
  @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
  void theProcessorRecoversFromABrokerRestartWithoutLosingFrames(String guarantee) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      Map<String, Object> settings = Harness.freshSettings(broker.bootstrapServers(), guarantee);
      SegstreamConfig config = new SegstreamConfig(settings);
      String frames = config.getString(SegstreamConfig.TOPIC_FRAMES);
      // Appended by whichever Kafka Streams thread changes the state, including the one that finishes
      // the close: KafkaStreams.close() returns once the state is NOT_RUNNING, before the listener has
      // been told, so the test thread may print while that thread appends.
      List<KafkaStreams.State> states = new CopyOnWriteArrayList<>();
      try (SegstreamApp app = new SegstreamApp(config, TestSegmenters.brightness());
          KafkaProducer<byte[], byte[]> producer = Harness.producer(Harness.client(settings))) {
        app.start((now, before) -> states.add(now));
        assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
        // A camera's producer sends at its pace; during the outage its sends wait for the broker.
        ExecutorService camera = Executors.newSingleThreadExecutor();
        Future<List<Future<RecordMetadata>>> sending = camera.submit(() -> {
          List<Future<RecordMetadata>> sends = new ArrayList<>();
          for (int id = 0; id < FRAMES; id++) {
            String stream = "cam-" + (id % 2);
            sends.add(producer.send(Harness.tagged(frames, stream,
                Harness.syntheticFrame(config, stream, id, 32, 32, ImageEncoding.PNG), id)));
            Thread.sleep(FRAME_INTERVAL.toMillis());
          }
          return sends;
        });
        try {
          Harness.await("a sixth of the frames to be processed", Duration.ofSeconds(60),
              () -> Harness.committed(Harness.client(settings), config.getString(SegstreamConfig.APPLICATION_ID),
                  frames) >= FRAMES / 6);
          broker.stop();
          Thread.sleep(OUTAGE.toMillis());
          broker.restart();
          for (Future<RecordMetadata> send : sending.get()) {
            send.get();
          }
        } finally {
          camera.shutdownNow();
        }
        Harness.awaitDrained(settings);
        Harness.await("the processor to be RUNNING", Duration.ofSeconds(60),
            () -> app.streams().state() == KafkaStreams.State.RUNNING);
      }
      System.out.println("processor states during the outage: " + states);
      Harness.Tally tally = Harness.Tally.of("broker stopped " + OUTAGE.toSeconds() + " s and restarted mid-stream",
          guarantee, FRAMES, Harness.client(settings), config).report();
      assertEquals(List.of(), tally.lost(), "frames without a mask");
      assertEquals(0, tally.total(tally.deadLetters()));
      // at_least_once may legitimately replay frames whose outputs were written but whose offsets were
      // not committed when the broker went away: duplicates are allowed (and counted in the figures).
      if ("exactly_once_v2".equals(guarantee)) {
        assertEquals(0, tally.duplicates(), "duplicates under exactly-once");
      }
      assertEquals(tally.masks().keySet(), tally.areas().keySet());
    }
  }
}
