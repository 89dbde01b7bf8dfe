package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.FfmpegTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(120)
class DecodeBenchCommandTest {

  @TempDir Path tmp;

  @Test
  void comparesTheDecodersOnVideoFramesOfEachSize() throws Exception {
    FfmpegTest.requireFfmpegAndVideo();
    Path out = tmp.resolve("bench");

    int exit = new CommandLine(new SegstreamCli()).execute("bench", "decode", "--video", FfmpegTest.VTEST.toString(),
        "--sizes", "64x36,96x54", "--frames", "3", "--rounds", "1", "--out", out.toString());

    assertEquals(0, exit);
    String md = Files.readString(out.resolve("decode.md"));
    for (String size : new String[] {"64x36", "96x54"}) {
      assertTrue(md.contains("| " + size + " | ImageIO.read alone | 3 |"), md);
      assertTrue(md.contains("| " + size + " | ImageIO, as FrameDecoder runs it | 3 |"), md);
      assertTrue(md.contains("| " + size + " | TensorFlow DecodeJpeg alone | 3 |"), md);
    }
  }
}
