package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.contracts.serde.SkippingReader;
import io.segstream.image.FrameDecoder;
import io.segstream.image.FrameRejectedException;
import io.segstream.image.MaskCodec;
import io.segstream.image.RgbImage;
import io.segstream.image.Ffmpeg;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Turns the masks topic into pictures: each mask blended over its frame, as PNG files, and for one
 * camera, on request, a video of its overlays in frame order (ffmpeg).
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = "Consume masks (and their frames) and write colourised overlay PNGs, or a camera's MP4.")
public final class RenderCommand implements Callable<Integer> {

  /** Frames kept while waiting for their masks (and masks while waiting for their frames). */
  private static final int MAX_PENDING = 2_000;

  @Spec CommandSpec spec;
  @Mixin ConfigOptions configOptions;

  @Option(names = {"-o", "--output"}, paramLabel = "DIR",
      description = "Folder for the PNG files. Needed unless --video is given (its PNGs are then temporary).")
  Path output;

  @Option(names = "--video", paramLabel = "FILE",
      description = "Also write one camera's overlays, in frame order, as a video (.mp4: H.264; .gif) with ffmpeg.")
  Path video;

  @Option(names = "--stream-id", paramLabel = "ID",
      description = "The camera whose overlays go into --video; needed when the masks come from several.")
  String videoStreamId;

  @Option(names = "--fps", defaultValue = "10", description = "Frame rate of --video. Default: ${DEFAULT-VALUE}.")
  double videoFps;

  @Option(names = "--ffmpeg", defaultValue = "ffmpeg", description = "ffmpeg executable for --video.")
  String ffmpegExecutable;

  @Option(names = "--masks-only", description = "Do not read frames; write the colourised masks alone.")
  boolean masksOnly;

  @Option(names = "--max", defaultValue = "0", description = "Stop after this many masks; 0: no limit.")
  long max;

  @Option(names = "--idle-timeout", defaultValue = "10", paramLabel = "SECONDS",
      description = "Stop when no record arrived for this long; 0: never. Default: ${DEFAULT-VALUE}.")
  long idleTimeoutSeconds;

  @Option(names = "--from-end", description = "Only masks produced from now on (default: from the beginning).")
  boolean fromEnd;

  private record FrameId(String streamId, long frameSeq) {}

  @Override
  public Integer call() throws Exception {
    SegstreamConfig config = configOptions.load();
    String masksTopic = config.getString(SegstreamConfig.TOPIC_MASKS);
    String framesTopic = config.getString(SegstreamConfig.TOPIC_FRAMES);
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    SkippingReader<SegmentationMask> masks = SkippingReader.of(serdes, masksTopic, SegmentationMask.class);
    SkippingReader<ImageFrame> frames = SkippingReader.of(serdes, framesTopic, ImageFrame.class);
    FrameDecoder decoder = new FrameDecoder(
        config.getInt(SegstreamConfig.MAX_FRAME_BYTES), config.getLong(SegstreamConfig.MAX_FRAME_PIXELS));
    if (output == null && video == null) {
      throw new IllegalArgumentException("give --output DIR for PNG files, or --video FILE, or both");
    }
    if (video != null && !(videoFps > 0)) {
      throw new IllegalArgumentException("--fps must be positive, got " + videoFps);
    }
    Path pngDir = output != null ? output : Files.createTempDirectory("segstream-render-");
    OverlayFiles files = new OverlayFiles(pngDir);
    Map<FrameId, ImageFrame> waitingFrames = new Lru<>();
    Map<FrameId, SegmentationMask> waitingMasks = new Lru<>();
    long written = 0;

    Map<String, Object> props = config.kafkaClientSettings(ConsumerConfig.configNames());
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
        config.getInt(SegstreamConfig.MAX_FRAME_BYTES) + 1024 * 1024);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>(partitions(consumer, masksTopic));
      if (!masksOnly) {
        partitions.addAll(partitions(consumer, framesTopic));
      }
      consumer.assign(partitions);
      if (fromEnd) {
        consumer.seekToEnd(partitions);
      } else {
        consumer.seekToBeginning(partitions);
      }
      long idleSince = System.nanoTime();
      while (max <= 0 || written < max) {
        var records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty()) {
          if (idleTimeoutSeconds > 0 && System.nanoTime() - idleSince > idleTimeoutSeconds * 1_000_000_000L) {
            break;
          }
          continue;
        }
        idleSince = System.nanoTime();
        List<SegmentationMask> ready = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
          if (record.topic().equals(framesTopic)) {
            ImageFrame frame = frames.read(record);
            if (frame == null) {
              continue;
            }
            FrameId id = new FrameId(frame.getStreamId(), frame.getFrameSeq());
            SegmentationMask mask = waitingMasks.remove(id);
            if (mask != null) {
              written += render(files, decoder, frame, mask) ? 1 : 0;
            } else {
              waitingFrames.put(id, frame);
            }
          } else {
            SegmentationMask mask = masks.read(record);
            if (mask != null) {
              ready.add(mask);
            }
          }
        }
        for (SegmentationMask mask : ready) {
          FrameId id = new FrameId(mask.getStreamId(), mask.getFrameSeq());
          ImageFrame frame = waitingFrames.remove(id);
          if (masksOnly || frame != null) {
            written += render(files, decoder, frame, mask) ? 1 : 0;
          } else {
            waitingMasks.put(id, mask);
          }
        }
      }
    }
    // Masks whose frames never showed up (e.g. the frames topic's retention dropped them).
    for (SegmentationMask mask : waitingMasks.values()) {
      if (max > 0 && written >= max) {
        break;
      }
      written += render(files, decoder, null, mask) ? 1 : 0;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.printf("wrote %d overlays%s%n", written, output != null ? " to " + output : "");
    masks.report().ifPresent(err::println);
    frames.report().ifPresent(err::println);
    err.flush();
    try {
      if (video != null) {
        writeVideo(files);
      }
    } finally {
      if (output == null) {
        deleteRecursively(pngDir);
      }
    }
    return 0;
  }

  /** The chosen camera's overlays, in frame order, through ffmpeg into {@link #video}. */
  private void writeVideo(OverlayFiles files) throws IOException {
    Map<String, SortedMap<Long, Path>> byCamera = files.written();
    String camera = videoStreamId;
    if (camera == null) {
      if (byCamera.size() != 1) {
        throw new IllegalArgumentException("--video needs --stream-id: the masks come from "
            + (byCamera.isEmpty() ? "no camera" : byCamera.size() + " cameras " + byCamera.keySet()));
      }
      camera = byCamera.keySet().iterator().next();
    }
    SortedMap<Long, Path> overlays = byCamera.get(camera);
    if (overlays == null) {
      throw new IllegalArgumentException("no masks of camera '" + camera + "'; cameras seen: " + byCamera.keySet());
    }
    new Ffmpeg(ffmpegExecutable).animate(List.copyOf(overlays.values()), videoFps, video);
    spec.commandLine().getErr().printf("wrote %s: %d frames of camera %s at %s fps%n", video, overlays.size(), camera, videoFps);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
  }

  /** Writes one overlay; false (with a message) when the mask or frame cannot be used. */
  private static boolean render(OverlayFiles files, FrameDecoder decoder, ImageFrame frame, SegmentationMask mask)
      throws IOException {
    String what = mask.getStreamId() + "#" + mask.getFrameSeq();
    MaskCodec.Mask decoded;
    try {
      decoded = MaskCodec.decode(mask);
    } catch (IOException e) {
      System.err.println("skipping mask " + what + ": " + e.getMessage());
      return false;
    }
    RgbImage image = null;
    if (frame != null) {
      try {
        image = decoder.decode(frame);
      } catch (FrameRejectedException e) {
        System.err.println("frame " + what + " unusable (" + e.getMessage() + "); writing the mask alone");
      }
    }
    if (image != null && (image.width() != decoded.width() || image.height() != decoded.height())) {
      image = null;
    }
    files.write(mask.getStreamId(), mask.getFrameSeq(), image, decoded);
    return true;
  }

  /** Insertion-ordered map that forgets its oldest entry beyond {@link #MAX_PENDING}. */
  private static final class Lru<K, V> extends LinkedHashMap<K, V> {
    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
      return size() > MAX_PENDING;
    }
  }
}
