package io.segstream.contracts.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.MaskEncoding;
import io.segstream.contracts.SegmentationMask;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class SingleObjectAvroSerdeTest {

  private final SingleObjectAvroSerde<ImageFrame> serde = new SingleObjectAvroSerde<>(ImageFrame.class);

  @Test
  void roundTripsWithTheSingleObjectHeader() {
    byte[] bytes = serde.serialize(RegistryAvroSerdeTest.frame());
    assertEquals((byte) 0xC3, bytes[0]);
    assertEquals((byte) 0x01, bytes[1]);
    assertEquals(RegistryAvroSerdeTest.frame(), serde.deserialize(bytes));
    assertNull(serde.deserialize(null));
  }

  @Test
  void rejectsGarbageAndOtherRecordTypes() {
    SerializationException garbage =
        assertThrows(SerializationException.class, () -> serde.deserialize(new byte[] {1, 2, 3}));
    assertTrue(garbage.getMessage().contains("ImageFrame"), garbage.getMessage());
    byte[] otherType = new SingleObjectAvroSerde<>(SegmentationMask.class).serialize(
        SegmentationMask.newBuilder()
            .setStreamId("s").setFrameSeq(1).setCaptureTimestamp(Instant.EPOCH)
            .setModelName("m").setModelVersion("1").setWidth(1).setHeight(1)
            .setClassLabels(List.of("a")).setMaskEncoding(MaskEncoding.PNG_GRAY8)
            .setMask(ByteBuffer.wrap(new byte[1])).setInferenceLatencyMs(1).setProcessingLatencyMs(1)
            .build());
    assertThrows(SerializationException.class, () -> serde.deserialize(otherType));
  }

  @Test
  void configChoosesTheEncoding() {
    assertFalse(AvroSerdes.fromConfig(new SegstreamConfig(Map.of())).usesRegistry());
    assertTrue(AvroSerdes.fromConfig(new SegstreamConfig(
        Map.of(SegstreamConfig.SCHEMA_REGISTRY_URL, "http://localhost:1/apis/ccompat/v7"))).usesRegistry());
  }
}
