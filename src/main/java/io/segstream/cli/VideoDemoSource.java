package io.segstream.cli;

import io.segstream.image.Ffmpeg;
import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;

/**
 * A real video, decoded by ffmpeg into JPEG frames of one stream; no ground truth. Each frame's JPEG
 * is kept until its mask arrives, for the overlay.
 */
final class VideoDemoSource implements DemoSource {

  static final String STREAM_ID = "video";

  private final Ffmpeg ffmpeg;
  private final Path video;
  private final Ffmpeg.DecodeOptions options;
  private final int maxFrameBytes;
  private final double sendFps;
  private final Map<Long, byte[]> waiting = new ConcurrentHashMap<>();

  /** {@code sendFps}: frames per second to send at, as a live camera would; 0: as fast as they come. */
  VideoDemoSource(Ffmpeg ffmpeg, Path video, Ffmpeg.DecodeOptions options, int maxFrameBytes, double sendFps) {
    this.ffmpeg = ffmpeg;
    this.video = video;
    this.options = options;
    this.maxFrameBytes = maxFrameBytes;
    this.sendFps = sendFps;
  }

  @Override
  public String description() {
    return "video " + video + " via ffmpeg (" + String.join(" ", ffmpeg.decodeCommand(video, options)) + ")";
  }

  @Override
  public int expectedFrames() {
    return options.maxFrames();
  }

  @Override
  public long send(FrameSink sink) throws IOException {
    Pacer pacer = new Pacer(sendFps);
    try (Ffmpeg.Decoding decoding = ffmpeg.decode(video, options, maxFrameBytes)) {
      return JpegStreamFrames.send(decoding::next, STREAM_ID, 0, video.getFileName().toString(), frame -> {
        ByteBuffer image = frame.getImage().duplicate();
        byte[] jpeg = new byte[image.remaining()];
        image.get(jpeg);
        waiting.put(frame.getFrameSeq(), jpeg);
        pacer.await();
        frame.setCaptureTimestamp(Instant.now()); // when it goes out, as a live camera's frame
        sink.send(frame);
      });
    }
  }

  @Override
  public RgbImage takeImage(String streamId, long frameSeq) throws IOException {
    byte[] jpeg = STREAM_ID.equals(streamId) ? waiting.remove(frameSeq) : null;
    return jpeg == null ? null : Images.toRgb(ImageIO.read(new ByteArrayInputStream(jpeg)));
  }

  @Override
  public byte[] truth(String streamId, long frameSeq) {
    return null;
  }
}
