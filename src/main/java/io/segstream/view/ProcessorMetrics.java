package io.segstream.view;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The processor's own figures for the live view, read from its Prometheus {@code /metrics}: frames
 * segmented per second, mean batch size and p95 capture-to-mask latency over the last interval. The
 * per-camera figures come from the topics; batch size exists only inside the processor.
 */
public final class ProcessorMetrics {

  /** What the page shows; NaN where not known (yet). {@code problem} says why, or is null. */
  public record Figures(double framesPerSecond, double meanBatchSize, double p95LatencyMs, String problem) {
    static Figures unknown(String problem) {
      return new Figures(Double.NaN, Double.NaN, Double.NaN, problem);
    }
  }

  /** Sums of the counters we take differences of, at one scrape. */
  record Sample(long atMs, double segmented, double batchSum, double batchCount, double p95Seconds) {}

  private final URI url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final LongSupplier clock;
  private Sample previous;
  private volatile Figures latest;

  /** {@code url}: the processor's /metrics; blank: none (the page says so). */
  public ProcessorMetrics(String url, LongSupplier clock) {
    this.url = url == null || url.isBlank() ? null : URI.create(url);
    this.clock = clock;
    this.latest = Figures.unknown(this.url == null ? "view.metrics.url not set" : "not read yet");
  }

  public Figures latest() {
    return latest;
  }

  /** Reads the metrics once and updates {@link #latest}; called every second or two. */
  public synchronized void refresh() {
    if (url == null) {
      return;
    }
    String text;
    try {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        latest = Figures.unknown(url + " answered " + response.statusCode());
        return;
      }
      text = response.body();
    } catch (java.io.IOException e) {
      latest = Figures.unknown("cannot read " + url + ": " + e.getMessage());
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Sample now = parse(clock.getAsLong(), text);
    latest = figures(previous, now);
    previous = now;
  }

  /** The figures between two scrapes. */
  static Figures figures(Sample before, Sample after) {
    double p95 = after.p95Seconds() * 1000;
    if (before == null || after.atMs() <= before.atMs()) {
      return new Figures(Double.NaN, Double.NaN, p95, null);
    }
    double seconds = (after.atMs() - before.atMs()) / 1000.0;
    double batches = after.batchCount() - before.batchCount();
    return new Figures((after.segmented() - before.segmented()) / seconds,
        batches > 0 ? (after.batchSum() - before.batchSum()) / batches : Double.NaN, p95, null);
  }

  /** The few series we need from the Prometheus text format, summed over their labels. */
  static Sample parse(long atMs, String text) {
    double segmented = 0;
    double batchSum = 0;
    double batchCount = 0;
    double p95 = Double.NaN;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String series = line.substring(0, space);
      double value;
      try {
        value = Double.parseDouble(line.substring(space + 1));
      } catch (NumberFormatException e) {
        continue;
      }
      String name = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
      switch (name) {
        case "segstream_frames_total" -> segmented += series.contains("outcome=\"segmented\"") ? value : 0;
        case "segstream_inference_batch_size_sum" -> batchSum += value;
        case "segstream_inference_batch_size_count" -> batchCount += value;
        case "segstream_frame_latency_seconds" -> p95 = series.contains("quantile=\"0.95\"") ? value : p95;
        default -> { }
      }
    }
    return new Sample(atMs, segmented, batchSum, batchCount, p95);
  }
}
