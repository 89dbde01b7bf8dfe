package io.segstream.contracts.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.image.FrameEncoder;
import io.segstream.model.SyntheticScenes;
import io.segstream.testing.Masks;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class SkippingReaderTest {

  private static final AvroSerdes SERDES = AvroSerdes.singleObject();

  private static ConsumerRecord<String, byte[]> record(long offset, byte[] value) {
    return new ConsumerRecord<>("frames", 0, offset, "cam", value);
  }

  private static byte[] frameBytes(long seq) {
    ImageFrame frame = new FrameEncoder(ImageEncoding.PNG)
        .frame("cam", seq, Instant.EPOCH, new SyntheticScenes().generate(seq, 16, 8).image(), Map.of());
    return SERDES.forValues(ImageFrame.class).serializer().serialize("frames", frame);
  }

  @Test
  void readsGoodRecordsAndSkipsAndCountsTombstonesAndRecordsOfAnotherShape() {
    SkippingReader<ImageFrame> reader = SkippingReader.of(SERDES, "frames", ImageFrame.class);
    SegmentationMask mask = Masks.of("cam", 1, 1, 1, new byte[1]);
    byte[] maskBytes = SERDES.forValues(SegmentationMask.class).serializer().serialize("masks", mask);

    assertEquals(0, reader.read(record(0, frameBytes(0))).getFrameSeq());
    assertNull(reader.read(record(1, null)));
    assertNull(reader.read(record(2, "not avro at all".getBytes(StandardCharsets.UTF_8))));
    assertNull(reader.read(record(3, maskBytes)));
    assertEquals(4, reader.read(record(4, frameBytes(4))).getFrameSeq());

    assertEquals(3, reader.skipped());
    String report = reader.report().orElseThrow();
    assertTrue(report.startsWith("skipped 3 unreadable records on frames: 1 null (tombstone), 2 not an ImageFrame"
        + " (first at partition 0 offset 2: cannot read ImageFrame from 15 bytes"), report);
  }

  @Test
  void saysNothingWhenNothingWasSkipped() {
    SkippingReader<ImageFrame> reader = SkippingReader.of(SERDES, "frames", ImageFrame.class);
    reader.read(record(0, frameBytes(0)));
    assertEquals(0, reader.skipped());
    assertEquals(Optional.empty(), reader.report());
  }

  @Test
  void oneTombstoneAloneIsReportedInTheSingular() {
    SkippingReader<SegmentationMask> reader = SkippingReader.of(SERDES, "masks", SegmentationMask.class);
    reader.read(record(0, null));
    assertEquals(Optional.of("skipped 1 unreadable record on masks: 1 null (tombstone)"), reader.report());
  }

  @Test
  void anUnreachableRegistryIsNotTheRecordsFaultAndStopsTheReader() {
    SkippingReader<ImageFrame> reader = new SkippingReader<>("frames", "ImageFrame", (topic, data) -> {
      throw new SchemaRegistryUnavailableException("registry down", null);
    });
    assertThrows(SchemaRegistryUnavailableException.class, () -> reader.read(record(0, new byte[] {0, 0, 0, 0, 1})));
    assertEquals(0, reader.skipped());
  }
}
