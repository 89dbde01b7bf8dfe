package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.inference.Segmenter;
import io.segstream.testing.CapturedOutput;
import io.segstream.testing.EmbeddedBroker;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SegstreamAppTest {

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  private static final Segmenter UNUSED = TestSegmenters.brightness();

  @Test
  void itsStreamThreadsLeaveTheGroupWhenItCloses() throws Exception {
    String applicationId = "leave-on-close";
    SegstreamApp app = new SegstreamApp(new SegstreamConfig(Map.of(
        SegstreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(), SegstreamConfig.APPLICATION_ID, applicationId,
        SegstreamConfig.TOPIC_FRAMES, applicationId + "-frames", SegstreamConfig.TOPIC_MASKS, applicationId + "-masks",
        SegstreamConfig.TOPIC_AREAS, applicationId + "-areas", SegstreamConfig.TOPIC_DLQ, applicationId + "-dlq",
        "num.stream.threads", "2")), UNUSED);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)), "never reached RUNNING");
      assertEquals(2, members(admin, applicationId).size());
      long closing = System.nanoTime();
      app.close();
      // Members that do not leave stay until their session times out (45 s by default).
      long deadline = closing + Duration.ofSeconds(10).toNanos();
      while (!members(admin, applicationId).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(List.of(), List.copyOf(members(admin, applicationId)));
    }
  }

  private static Collection<MemberDescription> members(Admin admin, String group) throws Exception {
    return admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get().members();
  }

  @Test
  void staticMembersStayInTheGroupOnClose() {
    assertEquals(GroupMembershipOperation.LEAVE_GROUP,
        new SegstreamApp(new SegstreamConfig(Map.of()), UNUSED).onClose());
    assertEquals(GroupMembershipOperation.DEFAULT,
        new SegstreamApp(new SegstreamConfig(Map.of("main.consumer.group.instance.id", "camera-node-1")), UNUSED)
            .onClose());
  }

  @Test
  void runsTwoStreamThreadsWhateverTheBatchSizeUnlessConfiguredOtherwise() {
    assertEquals(2, new SegstreamApp(new SegstreamConfig(Map.of("max.batch.size", "32")), UNUSED)
        .streamsProperties().get("num.stream.threads"));
    assertEquals("1", new SegstreamApp(new SegstreamConfig(Map.of("num.stream.threads", "1")), UNUSED)
        .streamsProperties().get("num.stream.threads"));
  }

  @Test
  void masksLeaveWithoutLingeringUnlessConfiguredOtherwise() {
    assertEquals(0, new SegstreamApp(new SegstreamConfig(Map.of()), UNUSED)
        .streamsProperties().get("producer.linger.ms"));
    assertEquals("20", new SegstreamApp(new SegstreamConfig(Map.of("producer.linger.ms", "20")), UNUSED)
        .streamsProperties().get("producer.linger.ms"));
  }

  @Test
  void theStreamThreadsDoNotWarnThatTheGlobalThreadHasNoProcessingExceptionHandler() {
    // The stream threads (8 by default) and their consumers' partition assignors are made with the
    // client, before it starts; no broker is needed for that.
    SegstreamApp app = new SegstreamApp(
        new SegstreamConfig(Map.of(SegstreamConfig.BOOTSTRAP_SERVERS, "127.0.0.1:9")), UNUSED);
    String output;
    try (CapturedOutput captured = new CapturedOutput()) {
      new KafkaStreams(app.topology(), app.streamsProperties()).close(Duration.ofSeconds(10));
      output = captured.text();
    }
    assertFalse(output.contains("Processing exception handler is not enabled for the GlobalThread"), output);
  }
}
