package io.segstream.cli;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.contracts.serde.SkippingReader;
import io.segstream.image.MaskCodec;
import io.segstream.image.RgbImage;
import io.segstream.ops.ProgressBar;
import io.segstream.topology.DeadLetters;
import io.segstream.topology.FrameProducers;
import io.segstream.topology.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code demo}'s traffic: sends the source's frames to the running processor and reads back its
 * masks, class areas and dead letters until every frame sent is answered or the time is up, writing
 * overlays on the way.
 */
final class DemoRoundTrip {

  /**
   * @param sent frames sent; -1 when the time ran out before the source was through
   * @param elapsedSeconds from the start of sending to the last mask
   */
  record Outcome(long sent, double elapsedSeconds, boolean everyFrameAnswered) {}

  private final SegstreamConfig config;
  private final Topics topics;
  private final DemoSource source;
  private final DemoResults results;
  private final ClassAreasCsv csv;
  private final OverlayFiles overlays;
  private final int overlayLimit;

  /** {@code overlayLimit}: overlays to write, -1 for all. */
  DemoRoundTrip(SegstreamConfig config, DemoSource source, DemoResults results, ClassAreasCsv csv,
      OverlayFiles overlays, int overlayLimit) {
    this.config = config;
    this.topics = Topics.fromConfig(config);
    this.source = source;
    this.results = results;
    this.csv = csv;
    this.overlays = overlays;
    this.overlayLimit = overlayLimit;
  }

  Outcome run(Duration timeout) throws Exception {
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    SkippingReader<SegmentationMask> maskReader = SkippingReader.of(serdes, topics.masks(), SegmentationMask.class);
    SkippingReader<ClassAreas> areaReader = SkippingReader.of(serdes, topics.areas(), ClassAreas.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
        config.kafkaClientSettings(ConsumerConfig.configNames()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(topics.masks(), topics.areas(), topics.deadLetters())) {
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
            .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);

      long start = System.nanoTime();
      CompletableFuture<Long> producing = CompletableFuture.supplyAsync(this::send);
      ProgressBar progress = ProgressBar.onConsole(System.err, "frames", source.expectedFrames());
      long deadline = start + timeout.toNanos();
      long lastMaskNanos = start;
      long sent = -1; // known once the producer is done
      while (System.nanoTime() < deadline) {
        if (sent < 0 && producing.isDone()) {
          sent = sentCount(producing);
          progress.total(sent);
        }
        if (sent >= 0 && results.answered() >= sent && results.areaFrames() >= results.masks()) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (record.topic().equals(topics.masks())) {
            SegmentationMask mask = maskReader.read(record);
            if (mask != null) {
              received(mask);
              lastMaskNanos = System.nanoTime();
            }
          } else if (record.topic().equals(topics.areas())) {
            ClassAreas areas = areaReader.read(record);
            if (areas != null) {
              results.add(areas);
              csv.add(areas);
            }
          } else {
            results.addDeadLetter();
            progress.message("dead letter: " + DeadLetters.header(record.headers(), DeadLetters.CODE) + ": "
                + DeadLetters.header(record.headers(), DeadLetters.REASON));
          }
        }
        progress.update(results.answered());
      }
      progress.finish(results.answered());
      maskReader.report().ifPresent(System.err::println);
      areaReader.report().ifPresent(System.err::println);
      if (sent < 0) {
        producing.cancel(true);
      }
      return new Outcome(sent, (lastMaskNanos - start) / 1e9, sent >= 0 && results.answered() >= sent);
    }
  }

  /** Scores the mask and writes its overlay (while under the limit). */
  private void received(SegmentationMask mask) throws IOException {
    MaskCodec.Mask decoded = MaskCodec.decode(mask);
    results.add(mask, decoded, source.truth(mask.getStreamId(), mask.getFrameSeq()), Instant.now());
    RgbImage image = source.takeImage(mask.getStreamId(), mask.getFrameSeq());
    if (overlayLimit < 0 || results.masks() <= overlayLimit) {
      if (image != null && (image.width() != decoded.width() || image.height() != decoded.height())) {
        image = null; // the colourised mask alone, rather than no overlay
      }
      overlays.write(mask.getStreamId(), mask.getFrameSeq(), image, decoded);
    }
  }

  /** The overlays written, by camera and frame sequence: the animation's frames. */
  List<Path> overlayFiles() {
    return overlays.written().values().stream().flatMap(frames -> frames.values().stream()).toList();
  }

  private long send() {
    try (KafkaProducer<String, ImageFrame> producer = FrameProducers.create(config)) {
      long sent = source.send(frame -> producer.send(new ProducerRecord<>(topics.frames(), frame.getStreamId(), frame)));
      producer.flush();
      return sent;
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  /** How many frames the finished producer sent; its failure (e.g. ffmpeg's) as the command's. */
  private static long sentCount(CompletableFuture<Long> producing) throws Exception {
    try {
      return producing.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() instanceof UncheckedIOException unchecked ? unchecked.getCause() : e.getCause();
      throw cause instanceof Exception exception ? exception : e;
    }
  }
}
