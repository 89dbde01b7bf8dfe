package io.segstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.SegmentationMask;
import io.segstream.image.FrameEncoder;
import io.segstream.image.MaskCodec;
import io.segstream.image.OverlayRenderer;
import io.segstream.testing.FreshTopics;
import io.segstream.testing.Masks;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.Ffmpeg;
import io.segstream.image.FfmpegTest;
import io.segstream.image.FrameDecoder;
import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import io.segstream.model.GroundTruthSegmenter;
import io.segstream.model.SyntheticScenes;
import io.segstream.testing.EmbeddedBroker;
import io.segstream.testing.Material;
import io.segstream.topology.SegstreamApp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI commands end to end against an embedded broker. */
@Tag("integration")
@Timeout(180)
class CliIntegrationTest {

  @RegisterExtension static final EmbeddedBroker broker = new EmbeddedBroker();

  private static boolean sleep(long millis) throws InterruptedException {
    Thread.sleep(millis);
    return true;
  }

  private static int run(Object command, String... args) {
    CommandLine cli = new CommandLine(command);
    return cli.execute(args);
  }

  @Test
  void produceFromFolderPipeAndSyntheticThenProcessThenRender(@TempDir Path dir) throws Exception {
    String bootstrap = "bootstrap.servers=" + broker.bootstrapServers();
    SyntheticScenes scenes = new SyntheticScenes();
    Path images = Files.createDirectories(dir.resolve("images"));
    RgbImage first = scenes.generate(1, 40, 30).image();
    RgbImage second = scenes.generate(2, 40, 30).image();
    Files.write(images.resolve("a.png"), Images.png(first));
    Files.write(images.resolve("b.jpg"), Images.jpeg(second, 0.9f));
    Files.writeString(images.resolve("notes.txt"), "ignored");

    assertEquals(0, run(new ProduceCommand(), "-D", bootstrap, "--dir", images.toString(), "--stream-id", "folder"));
    ByteArrayOutputStream pipe = new ByteArrayOutputStream();
    pipe.write(Images.jpeg(first, 0.9f));
    pipe.write(Images.jpeg(second, 0.9f));
    pipe.write(Images.jpeg(first, 0.9f));
    assertEquals(0, run(new ProduceCommand(new ByteArrayInputStream(pipe.toByteArray())),
        "-D", bootstrap, "--stdin", "--stream-id", "pipe"));
    assertEquals(0, run(new ProduceCommand(), "-D", bootstrap, "--synthetic", "4", "--seed", "100",
        "--width", "48", "--height", "32", "--stream-id", "synth"));

    SegstreamConfig config = new SegstreamConfig(Map.of(SegstreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers()));
    List<ImageFrame> frames = readFrames(config, 9);
    assertEquals(List.of("folder", "folder", "pipe", "pipe", "pipe", "synth", "synth", "synth", "synth"),
        frames.stream().map(ImageFrame::getStreamId).sorted().toList());
    ImageFrame fromFolder = frames.stream().filter(f -> f.getStreamId().equals("folder")).toList().get(1);
    assertEquals(ImageEncoding.JPEG, fromFolder.getEncoding());
    assertEquals("b.jpg", fromFolder.getMetadata().get("source"));
    assertEquals(40, fromFolder.getWidth());
    assertEquals(30, fromFolder.getHeight());
    assertEquals(List.of(0L, 1L, 2L), frames.stream().filter(f -> f.getStreamId().equals("pipe"))
        .map(ImageFrame::getFrameSeq).toList());

    // Process the synthetic frames with their ground truth; the others are not known to the oracle
    // and end up in the dead-letter topic.
    GroundTruthSegmenter oracle = new GroundTruthSegmenter();
    for (int i = 0; i < 4; i++) {
      oracle.register(scenes.generate(100 + i, 48, 32));
    }
    try (SegstreamApp app = new SegstreamApp(config, oracle)) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
      Path overlays = dir.resolve("overlays");
      assertEquals(0, run(new RenderCommand(), "-D", bootstrap, "-o", overlays.toString(), "--max", "4",
          "--idle-timeout", "60"));
      List<Path> written;
      try (Stream<Path> files = Files.list(overlays)) {
        written = files.sorted().toList();
      }
      assertEquals(List.of("synth-000000.png", "synth-000001.png", "synth-000002.png", "synth-000003.png"),
          written.stream().map(p -> p.getFileName().toString()).toList());
      RgbImage overlay = Images.toRgb(ImageIO.read(written.get(0).toFile()));
      assertEquals(48, overlay.width());
      assertEquals(32, overlay.height());
    }
  }

  @Test
  void renderSkipsTombstonesAndGarbageAmongGoodRecordsAndCountsThem(@TempDir Path dir) throws Exception {
    Map<String, Object> settings = FreshTopics.settings(broker.bootstrapServers(), "render-junk");
    String framesTopic = (String) settings.get(SegstreamConfig.TOPIC_FRAMES);
    String masksTopic = (String) settings.get(SegstreamConfig.TOPIC_MASKS);
    AvroSerdes serdes = AvroSerdes.singleObject();
    SyntheticScenes scenes = new SyntheticScenes();
    FrameEncoder encoder = new FrameEncoder(ImageEncoding.PNG);
    byte[] garbage = "not an Avro record".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (KafkaProducer<String, byte[]> producer = broker.rawProducer()) {
      for (long seq = 0; seq < 2; seq++) {
        SyntheticScenes.Scene scene = scenes.generate(700 + seq, 24, 16);
        ImageFrame frame = encoder.frame("cam", seq, java.time.Instant.now(), scene.image(), Map.of());
        SegmentationMask mask = Masks.of("cam", seq, 24, 16, scene.labels());
        producer.send(new ProducerRecord<>(framesTopic, 0, "cam",
            serdes.forValues(ImageFrame.class).serializer().serialize(framesTopic, frame)));
        producer.send(new ProducerRecord<>(masksTopic, 0, "cam",
            serdes.forValues(SegmentationMask.class).serializer().serialize(masksTopic, mask)));
        if (seq == 0) {
          // Between the two good records of each topic: a tombstone and bytes that are no record of its type.
          for (String topic : List.of(framesTopic, masksTopic)) {
            producer.send(new ProducerRecord<>(topic, 0, "cam", null));
            producer.send(new ProducerRecord<>(topic, 0, "cam", garbage));
          }
        }
      }
      producer.flush();
    }

    Path overlays = dir.resolve("overlays");
    CommandLine cli = new CommandLine(new RenderCommand());
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err));
    List<String> args = new ArrayList<>(List.of("-o", overlays.toString(), "--idle-timeout", "5"));
    settings.forEach((key, value) -> args.addAll(List.of("-D", key + "=" + value)));
    assertEquals(0, cli.execute(args.toArray(String[]::new)), err.toString());

    try (Stream<Path> files = Files.list(overlays)) {
      assertEquals(List.of("cam-000000.png", "cam-000001.png"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    // Both written over their frames, not as the colourised mask alone.
    RgbImage mask = OverlayRenderer.colourise(MaskCodec.decodePng(MaskCodec.encodePng(24, 16,
        scenes.generate(701, 24, 16).labels())));
    RgbImage overlay = Images.toRgb(ImageIO.read(overlays.resolve("cam-000001.png").toFile()));
    assertTrue(!java.util.Arrays.equals(mask.pixels(), overlay.pixels()), "frame 1 blended under its mask");
    String report = err.toString();
    assertTrue(report.contains("wrote 2 overlays to " + overlays), report);
    assertTrue(report.contains("skipped 2 unreadable records on " + framesTopic
        + ": 1 null (tombstone), 1 not an ImageFrame (first at partition 0 offset 2: "), report);
    assertTrue(report.contains("skipped 2 unreadable records on " + masksTopic
        + ": 1 null (tombstone), 1 not a SegmentationMask (first at partition 0 offset 2: "), report);
  }

  @Test
  void renderWritesOneCamerasOverlaysAsAnMp4(@TempDir Path dir) throws Exception {
    Material.require(new Ffmpeg("ffmpeg").version().isPresent(), "ffmpeg is not installed (apt-get install ffmpeg)");
    Material.require(new Ffmpeg("ffprobe").version().isPresent(), "ffprobe is not installed (apt-get install ffmpeg)");
    String bootstrap = "bootstrap.servers=" + broker.bootstrapServers();
    String[] topics = {"-D", "topic.frames=mp4-frames", "-D", "topic.masks=mp4-masks", "-D", "topic.areas=mp4-areas",
        "-D", "topic.dlq=mp4-dlq", "-D", "application.id=mp4-test"};
    SyntheticScenes scenes = new SyntheticScenes();
    GroundTruthSegmenter oracle = new GroundTruthSegmenter();
    for (int i = 0; i < 7; i++) {
      oracle.register(scenes.generate(700 + i, 64, 48));
    }
    assertEquals(0, run(new ProduceCommand(), concat(topics, "-D", bootstrap, "--synthetic", "5", "--seed", "700",
        "--width", "64", "--height", "48", "--stream-id", "door")));
    assertEquals(0, run(new ProduceCommand(), concat(topics, "-D", bootstrap, "--synthetic", "2", "--seed", "705",
        "--width", "64", "--height", "48", "--stream-id", "yard")));
    SegstreamConfig config = new SegstreamConfig(Map.of(SegstreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
        SegstreamConfig.TOPIC_FRAMES, "mp4-frames", SegstreamConfig.TOPIC_MASKS, "mp4-masks",
        SegstreamConfig.TOPIC_AREAS, "mp4-areas", SegstreamConfig.TOPIC_DLQ, "mp4-dlq",
        SegstreamConfig.APPLICATION_ID, "mp4-test"));
    try (SegstreamApp app = new SegstreamApp(config, oracle)) {
      app.start();
      assertTrue(app.awaitRunning(Duration.ofSeconds(60)));
      Path video = dir.resolve("door.mp4");
      // Two cameras: which one goes into the video must be said.
      CommandLine ambiguous = CommandLines.configure(new CommandLine(new RenderCommand()));
      java.io.StringWriter err = new java.io.StringWriter();
      ambiguous.setErr(new java.io.PrintWriter(err));
      assertEquals(1, ambiguous.execute(concat(topics, "-D", bootstrap, "--video", video.toString(),
          "--max", "7", "--idle-timeout", "60")));
      assertTrue(err.toString().contains("--video needs --stream-id"), err.toString());

      assertEquals(0, run(new RenderCommand(), concat(topics, "-D", bootstrap, "--video", video.toString(),
          "--stream-id", "door", "--fps", "5", "--max", "7", "--idle-timeout", "60")));
      Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
          "-show_entries", "stream=codec_name,width,height,nb_read_frames", "-of", "csv=p=0", video.toString())
          .redirectErrorStream(true).start();
      String probed = new String(probe.getInputStream().readAllBytes()).strip();
      assertEquals(0, probe.waitFor(), probed);
      // The door camera's 5 frames, not the yard's 2, at the frames' own size.
      assertTrue(probed.matches("\\w+,64,48,5"), "ffprobe codec,width,height,frames: " + probed);
    }
  }

  private static String[] concat(String[] first, String... rest) {
    return Stream.concat(Stream.of(first), Stream.of(rest)).toArray(String[]::new);
  }

  @Test
  void ffmpegPipedIntoProduceStdinSendsEveryVideoFrame() throws Exception {
    FfmpegTest.requireFfmpegAndVideo();
    // ffmpeg -i vtest.avi -vf scale=192:144 -frames:v 5 -f image2pipe -c:v mjpeg - | segstream produce --stdin
    Process ffmpeg = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-i", FfmpegTest.VTEST.toString(),
        "-vf", "scale=192:144", "-frames:v", "5", "-f", "image2pipe", "-c:v", "mjpeg", "-")
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    assertEquals(0, run(new ProduceCommand(ffmpeg.getInputStream()), "-D", "bootstrap.servers=" + broker.bootstrapServers(),
        "--stdin", "--stream-id", "vtest", "--topic", "video-frames"));
    assertEquals(0, ffmpeg.waitFor());

    SegstreamConfig config = new SegstreamConfig(Map.of(SegstreamConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
        SegstreamConfig.TOPIC_FRAMES, "video-frames"));
    List<ImageFrame> frames = readFrames(config, 5);
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), frames.stream().map(ImageFrame::getFrameSeq).toList());
    for (ImageFrame frame : frames) {
      assertEquals("vtest", frame.getStreamId());
      assertEquals(ImageEncoding.JPEG, frame.getEncoding());
      RgbImage image = new FrameDecoder(1 << 20, 1 << 20).decode(frame);
      assertEquals(192, image.width());
      assertEquals(144, image.height());
    }
  }

  @Test
  void runProcessesFramesUntilStopped(@TempDir Path dir) throws Exception {
    String bootstrap = "bootstrap.servers=" + broker.bootstrapServers();
    GroundTruthSegmenter oracle = new GroundTruthSegmenter();
    SyntheticScenes scenes = new SyntheticScenes();
    for (int i = 0; i < 3; i++) {
      oracle.register(scenes.generate(500 + i, 32, 32));
    }
    Path settings = dir.resolve("segstream.properties");
    Files.writeString(settings, String.join("\n", bootstrap, "application.id=run-test",
        "topic.frames=run-frames", "topic.masks=run-masks", "topic.areas=run-areas", "topic.dlq=run-dlq",
        "http.port=0"));
    // Set by the runner thread, read here.
    AtomicInteger exit = new AtomicInteger(-1);
    RunCommand command = new RunCommand(config -> oracle);
    Thread runner = new Thread(() -> exit.set(run(command, "--config", settings.toString())));
    runner.start();
    try {
      assertEquals(0, run(new ProduceCommand(), "-c", settings.toString(), "--synthetic", "3", "--seed", "500",
          "--width", "32", "--height", "32"));
      List<String> keys = new ArrayList<>();
      try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, "run-test-reader",
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
        consumer.subscribe(List.of("run-masks"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (keys.size() < 3 && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
        }
      }
      assertEquals(List.of("stream-1", "stream-1", "stream-1"), keys);

      // Masks flow, so the model is warm; once every stream thread has its partitions (threads given
      // theirs first already process) the streams are RUNNING: ready, with metrics served.
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + command.healthPort();
      java.net.http.HttpResponse<String> ready;
      long readyDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      do {
        ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/readyz")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
      } while (ready.statusCode() != 200 && System.nanoTime() < readyDeadline && sleep(200));
      assertEquals(200, ready.statusCode(), ready.body());
      String metrics = http.send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("kafka_stream_"), "Kafka Streams metrics are exported");
    } finally {
      runner.interrupt();
      runner.join(60_000);
    }
    assertFalse(runner.isAlive(), "run did not stop within 60 s of the interrupt");
    assertEquals(0, exit.get());
  }

  @Test
  void demoWithTheOracleScoresPerfectly(@TempDir Path dir) throws Exception {
    int exit = run(new DemoCommand(), "--oracle", "--frames", "10", "--width", "48", "--height", "32",
        "--overlays", "3", "-o", dir.toString());
    assertEquals(0, exit);
    String summary = Files.readString(dir.resolve("summary.txt"));
    assertTrue(summary.contains("masks received:     10"), summary);
    assertTrue(summary.contains("mean IoU:           1.0000"), summary);
    // Cameras are live by default: the latency is capture to mask at the cameras' rate, not queueing.
    assertTrue(summary.matches("(?s).*end-to-end latency: p50 \\d+ ms, p95 \\d+ ms, p99 \\d+ ms \\(capture to mask read; "
        + "each of 2 camera\\(s\\) live at 25\\.0 frames/s, 50\\.0 in all\\).*"), summary);
    try (Stream<Path> files = Files.list(dir.resolve("overlays"))) {
      assertEquals(3, files.count());
    }
    List<String> csv = Files.readAllLines(dir.resolve("class-areas.csv"));
    assertTrue(csv.size() > 10, "one row per class present per frame");
  }

  @Test
  void demoWithoutAModelExplainsWhatIsMissing(@TempDir Path dir) {
    CommandLine cli = CommandLines.configure(new CommandLine(new DemoCommand(config -> {
      throw new UnsupportedOperationException("no model here");
    })));
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err));
    assertEquals(1, cli.execute("--frames", "2", "-o", dir.toString()));
    assertEquals("segstream demo: no model here", err.toString().strip());
  }

  private static List<ImageFrame> readFrames(SegstreamConfig config, int expected) {
    var deserializer = AvroSerdes.fromConfig(config).forValues(ImageFrame.class).deserializer();
    List<ImageFrame> frames = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "cli-test",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(config.getString(SegstreamConfig.TOPIC_FRAMES)));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (frames.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> {
          ImageFrame frame = deserializer.deserialize(r.topic(), r.value());
          assertEquals(r.key(), frame.getStreamId());
          frames.add(frame);
        });
      }
    }
    assertEquals(expected, frames.size());
    return frames;
  }
}
