package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.image.FrameEncoder;
import io.segstream.image.ImageProbe;
import io.segstream.image.JpegStreamReader;
import io.segstream.model.SyntheticScenes;
import io.segstream.topology.FrameProducers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Publishes frames to the frames topic: from image files, a JPEG pipe, or synthetic scenes. */
@Command(
    name = "produce",
    mixinStandardHelpOptions = true,
    description = {
      "Publish ImageFrame events keyed by stream id.",
      "Webcam example: ffmpeg -f v4l2 -i /dev/video0 -f image2pipe -c:v mjpeg -q:v 5 - | segstream produce --stdin"
    })
public final class ProduceCommand implements Callable<Integer> {

  @Mixin ConfigOptions configOptions;

  static final class Source {
    @Option(names = "--dir", paramLabel = "DIR",
        description = "Folder of .jpg/.jpeg/.png files, sent in file-name order.")
    Path dir;

    @Option(names = "--stdin",
        description = "Concatenated JPEG images on standard input (e.g. ffmpeg -f image2pipe -c:v mjpeg -).")
    boolean stdin;

    @Option(names = "--synthetic", paramLabel = "N",
        description = "N synthetic shape scenes (seeded, so the ground truth is known).")
    Integer synthetic;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  @Option(names = "--stream-id", defaultValue = "stream-1", description = "Stream id: the record key. Default: ${DEFAULT-VALUE}.")
  String streamId;

  @Option(names = "--topic", description = "Topic to write to. Default: the topic.frames setting.")
  String topic;

  @Option(names = "--fps", defaultValue = "0", description = "Frames per second to send at; 0 sends as fast as possible.")
  double fps;

  @Option(names = "--start-seq", defaultValue = "0", description = "frameSeq of the first frame. Default: ${DEFAULT-VALUE}.")
  long startSeq;

  @Option(names = "--width", defaultValue = "128", description = "Synthetic frame width. Default: ${DEFAULT-VALUE}.")
  int width;

  @Option(names = "--height", defaultValue = "128", description = "Synthetic frame height. Default: ${DEFAULT-VALUE}.")
  int height;

  @Option(names = "--encoding", defaultValue = "PNG",
      description = "Encoding of synthetic frames: JPEG, PNG or RAW_RGB8. Default: ${DEFAULT-VALUE}.")
  ImageEncoding encoding;

  @Option(names = "--seed", defaultValue = "1", description = "First seed of synthetic scenes. Default: ${DEFAULT-VALUE}.")
  long seed;

  private final InputStream stdin;
  private long sent;

  public ProduceCommand() {
    this(System.in);
  }

  ProduceCommand(InputStream stdin) {
    this.stdin = stdin;
  }

  @Override
  public Integer call() throws Exception {
    SegstreamConfig config = configOptions.load();
    String target = topic != null ? topic : config.getString(SegstreamConfig.TOPIC_FRAMES);
    int maxFrameBytes = config.getInt(SegstreamConfig.MAX_FRAME_BYTES);
    AtomicReference<Exception> sendFailure = new AtomicReference<>();
    long start = System.nanoTime();
    Pacer pacer = new Pacer(fps);
    try (KafkaProducer<String, ImageFrame> producer = FrameProducers.create(config)) {
      FrameSink sink = frame -> {
        pacer.await();
        // Captured when it goes out, as a camera's frame would be, not when it was read ahead.
        frame.setCaptureTimestamp(Instant.now());
        producer.send(new ProducerRecord<>(target, frame.getStreamId(), frame), (metadata, e) -> {
          if (e != null) {
            sendFailure.compareAndSet(null, e);
          }
        });
        sent++;
        if (sendFailure.get() != null) {
          throw new IOException("sending frames failed", sendFailure.get());
        }
      };
      if (source.dir != null) {
        sendFolder(source.dir, maxFrameBytes, sink);
      } else if (source.stdin) {
        sendJpegStream(maxFrameBytes, sink);
      } else {
        sendSynthetic(source.synthetic, sink);
      }
      producer.flush();
    }
    if (sendFailure.get() != null) {
      throw new IOException("sending frames failed", sendFailure.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.err.printf(Locale.ROOT, "sent %d frames to %s in %.1f s (%.1f frames/s)%n",
        sent, target, seconds, sent / Math.max(seconds, 1e-9));
    return 0;
  }

  private void sendFolder(Path dir, int maxFrameBytes, FrameSink sink) throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)"))
          .sorted()
          .toList();
    }
    if (files.isEmpty()) {
      throw new IOException("no .jpg, .jpeg or .png files in " + dir);
    }
    for (Path file : files) {
      if (Files.size(file) > maxFrameBytes) {
        System.err.println("skipping " + file + ": larger than max.frame.bytes=" + maxFrameBytes);
        continue;
      }
      byte[] bytes = Files.readAllBytes(file);
      ImageProbe probe;
      try {
        probe = ImageProbe.probe(bytes);
      } catch (IOException e) {
        System.err.println("skipping " + file + ": " + e.getMessage());
        continue;
      }
      sink.send(FrameEncoder.encoded(streamId, startSeq + sent, Instant.now(), probe.encoding(),
          bytes, probe.width(), probe.height(), Map.of("source", file.getFileName().toString())));
    }
  }

  private void sendJpegStream(int maxFrameBytes, FrameSink sink) throws IOException {
    try (JpegStreamReader reader = new JpegStreamReader(stdin, maxFrameBytes)) {
      JpegStreamFrames.send(reader::next, streamId, startSeq, "stdin", sink);
    }
  }

  private void sendSynthetic(int count, FrameSink sink) throws IOException {
    SyntheticScenes scenes = new SyntheticScenes();
    FrameEncoder encoder = new FrameEncoder(encoding);
    for (int i = 0; i < count; i++) {
      long sceneSeed = seed + i;
      sink.send(encoder.frame(streamId, startSeq + i, Instant.now(),
          scenes.generate(sceneSeed, width, height).image(),
          Map.of("source", "synthetic", "seed", Long.toString(sceneSeed))));
    }
  }
}
