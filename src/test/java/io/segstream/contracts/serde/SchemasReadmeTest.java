package io.segstream.contracts.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What schemas/README.md tells producers in other languages is what segstream really does. */
class SchemasReadmeTest {

  private static final Path README = Path.of("schemas/README.md");
  private static String readme;

  @BeforeAll
  static void read() throws Exception {
    readme = Files.readString(README);
  }

  @Test
  void canonicalFormAndFingerprintAreTheSchemas() throws Exception {
    Schema compiled = ImageFrame.getClassSchema();
    String canonical = fencedBlockAfter("canonical form of `ImageFrame`", "json");
    assertEquals(SchemaNormalization.toParsingForm(compiled), canonical);

    long fingerprint = SchemaNormalization.parsingFingerprint64(compiled);
    assertTrue(readme.contains(String.format("Its fingerprint is `0x%016X`", fingerprint)),
        String.format("README must give the fingerprint 0x%016X", fingerprint));
    // What a producer in another language starts from: the .avsc, not the generated class.
    Schema avsc = new Schema.Parser().parse(Path.of("schemas/ImageFrame.avsc").toFile());
    assertEquals(fingerprint, SchemaNormalization.parsingFingerprint64(avsc));
  }

  @Test
  void workedExampleIsTheBytesSegstreamWritesAndReads() {
    ImageFrame example = ImageFrame.newBuilder()
        .setStreamId("cam")
        .setFrameSeq(1)
        .setCaptureTimestamp(Instant.ofEpochMilli(1_700_000_000_000L))
        .setEncoding(ImageEncoding.RAW_RGB8)
        .setWidth(2)
        .setHeight(1)
        .setImage(ByteBuffer.wrap(new byte[] {(byte) 0xFF, 0, 0, 0, 0, (byte) 0xFF}))
        .setMetadata(Map.of())
        .build();
    byte[] documented = hexColumn(fencedBlockAfter("Worked example: one frame, byte by byte", "text"));

    Serde<ImageFrame> serde = AvroSerdes.singleObject().forValues(ImageFrame.class);
    byte[] written = serde.serializer().serialize("frames", example);
    assertEquals(HexFormat.ofDelimiter(" ").withUpperCase().formatHex(written),
        HexFormat.ofDelimiter(" ").withUpperCase().formatHex(documented));
    assertEquals(example, serde.deserializer().deserialize("frames", documented));
    assertTrue(readme.contains("(" + written.length + " bytes)"), "README gives the length " + written.length);
  }

  @Test
  void partitionExampleIsKafkasDefaultPartitioner() {
    Matcher example = Pattern.compile(
            "key `(\\w+)` has murmur2 `0x([0-9A-F]{8})`, so with\\s+(\\d+) partitions it goes to partition `(\\d+)`")
        .matcher(readme);
    assertTrue(example.find(), "README's partition example not found");
    byte[] key = example.group(1).getBytes(StandardCharsets.UTF_8);
    assertEquals(example.group(2), String.format("%08X", Utils.murmur2(key)));
    // The function the Java producer itself calls for a keyed record.
    assertEquals(Integer.parseInt(example.group(4)),
        BuiltInPartitioner.partitionForKey(key, Integer.parseInt(example.group(3))));
  }

  /** The content of the first fenced block of {@code language} after {@code heading}. */
  private static String fencedBlockAfter(String heading, String language) {
    int at = readme.indexOf(heading);
    assertTrue(at >= 0, "README has no '" + heading + "'");
    String fence = "```" + language + "\n";
    int start = readme.indexOf(fence, at);
    assertTrue(start >= 0, "no ```" + language + " block after '" + heading + "'");
    start += fence.length();
    return readme.substring(start, readme.indexOf("\n```", start));
  }

  /** The bytes in the left column of each line ("C3 01   description"). */
  private static byte[] hexColumn(String block) {
    Pattern line = Pattern.compile("((?:[0-9A-F]{2} )*[0-9A-F]{2}) {2,}\\S.*");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (String text : block.split("\n")) {
      Matcher matcher = line.matcher(text);
      assertTrue(matcher.matches(), "not 'hex bytes, two spaces, description': " + text);
      bytes.writeBytes(HexFormat.ofDelimiter(" ").parseHex(matcher.group(1)));
    }
    return bytes.toByteArray();
  }
}
