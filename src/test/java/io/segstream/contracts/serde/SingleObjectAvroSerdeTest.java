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
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
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
  void aCorruptLengthPrefixIsRefusedWithoutAllocatingWhatItClaims() {
    byte[] valid = serde.serialize(RegistryAvroSerdeTest.frame());
    int refused = insertHugeLengthEverywhere(valid, 10, serde::deserialize);
    assertTrue(refused > (valid.length - 10) / 2, "refused " + refused + " of " + (valid.length - 10));
  }

  /**
   * Decodes {@code valid} with a length of about 2 GB written over each byte from {@code from} on,
   * asserting that no attempt allocates more than 16 MB; returns how many were refused.
   */
  static int insertHugeLengthEverywhere(byte[] valid, int from, java.util.function.Consumer<byte[]> decode) {
    // Zig-zag varint of 2e9: a string, bytes or map length of about 2 GB wherever it lands.
    byte[] huge = {(byte) 0x80, (byte) 0xD0, (byte) 0xAC, (byte) 0xF3, (byte) 0x0E};
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    int refused = 0;
    for (int at = from; at < valid.length; at++) {
      byte[] corrupt = new byte[valid.length - 1 + huge.length];
      System.arraycopy(valid, 0, corrupt, 0, at);
      System.arraycopy(huge, 0, corrupt, at, huge.length);
      System.arraycopy(valid, at + 1, corrupt, at + huge.length, valid.length - at - 1);
      long before = threads.getCurrentThreadAllocatedBytes();
      try {
        decode.accept(corrupt);
      } catch (SerializationException e) {
        refused++;
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertTrue(allocated < 16 * 1024 * 1024,
          "decoding with a huge length at byte " + at + " allocated " + allocated + " bytes");
    }
    return refused;
  }

  @Test
  void configChoosesTheEncoding() {
    assertFalse(AvroSerdes.fromConfig(new SegstreamConfig(Map.of())).usesRegistry());
    assertTrue(AvroSerdes.fromConfig(new SegstreamConfig(
        Map.of(SegstreamConfig.SCHEMA_REGISTRY_URL, "http://localhost:1/apis/ccompat/v7"))).usesRegistry());
  }
}
