package io.segstream.cli;

import io.segstream.contracts.ClassArea;
import io.segstream.contracts.ClassAreas;
import io.segstream.contracts.SegmentationMask;
import io.segstream.image.MaskCodec;
import io.segstream.model.Evaluation;
import io.segstream.ops.Percentiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What came back to {@code demo}: counts, latencies, scores against ground truth if known, class areas. */
final class DemoResults {

  private final String source;
  private final String sendingNote;
  private int masks;
  private int scored;
  private int deadLetters;
  private int areaFrames;
  private String model = "";
  private Evaluation scores;
  private final List<Double> processingMs = new ArrayList<>();
  private final List<Double> inferenceMs = new ArrayList<>();
  private final List<Double> endToEndMs = new ArrayList<>();
  private final Map<String, double[]> areaByLabel = new TreeMap<>();

  /**
   * @param source where the frames come from, one line
   * @param sendingNote how they were sent, for the latency line
   */
  DemoResults(String source, String sendingNote) {
    this.source = source;
    this.sendingNote = sendingNote;
  }

  int masks() {
    return masks;
  }

  int deadLetters() {
    return deadLetters;
  }

  /** Masks plus dead letters: frames answered one way or the other. */
  int answered() {
    return masks + deadLetters;
  }

  int areaFrames() {
    return areaFrames;
  }

  /** {@code truth}: the frame's ground-truth class ids, or null when it has none. */
  void add(SegmentationMask mask, MaskCodec.Mask decoded, byte[] truth, Instant received) {
    if (masks++ == 0) {
      model = mask.getModelName() + " " + mask.getModelVersion();
      scores = new Evaluation(everyClassId(mask.getClassLabels()));
    }
    if (truth != null) {
      scored++;
      scores.add(truth, decoded.classIds());
    }
    processingMs.add(mask.getProcessingLatencyMs());
    inferenceMs.add(mask.getInferenceLatencyMs());
    endToEndMs.add((double) Duration.between(mask.getCaptureTimestamp(), received).toMillis());
  }

  /**
   * The model's labels, then a name for every other byte value: truth and masks may hold class ids
   * the model does not list (a source labelled with other classes), and they are scored, not refused.
   */
  private static List<String> everyClassId(List<String> modelLabels) {
    List<String> labels = new ArrayList<>(modelLabels);
    while (labels.size() < 256) {
      labels.add("class " + labels.size());
    }
    return labels;
  }

  void add(ClassAreas areas) {
    areaFrames++;
    for (ClassArea a : areas.getAreas()) {
      double[] sums = areaByLabel.computeIfAbsent(a.getLabel(), k -> new double[2]);
      sums[0] += a.getFraction();
      sums[1]++;
    }
  }

  void addDeadLetter() {
    deadLetters++;
  }

  String summary(long sent, double elapsedSeconds) {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    out.printf(Locale.ROOT, "frames:             %s%n", source);
    out.printf(Locale.ROOT, "frames sent:        %d%n", sent);
    out.printf(Locale.ROOT, "masks received:     %d (model %s)%n", masks, model);
    out.printf(Locale.ROOT, "dead letters:       %d%n", deadLetters);
    out.printf(Locale.ROOT, "throughput:         %.1f frames/s (%.2f s from first frame sent to last mask)%n",
        masks / Math.max(elapsedSeconds, 1e-9), elapsedSeconds);
    out.printf(Locale.ROOT, "inference latency:  p50 %.1f ms, p95 %.1f ms (segmenter call, batching included)%n",
        Percentiles.of(inferenceMs, 0.50), Percentiles.of(inferenceMs, 0.95));
    out.printf(Locale.ROOT, "processor latency:  p50 %.1f ms, p95 %.1f ms (parse+decode+segment+encode)%n",
        Percentiles.of(processingMs, 0.50), Percentiles.of(processingMs, 0.95));
    out.printf(Locale.ROOT, "end-to-end latency: p50 %.0f ms, p95 %.0f ms, p99 %.0f ms (capture to mask read; %s)%n",
        Percentiles.of(endToEndMs, 0.50), Percentiles.of(endToEndMs, 0.95), Percentiles.of(endToEndMs, 0.99),
        sendingNote);
    if (scored == 0) {
      out.println("scores:             none (no ground truth for these frames; look at the overlays)");
    } else {
      out.printf(Locale.ROOT, "pixel accuracy:     %.4f%n", scores.pixelAccuracy());
      out.printf(Locale.ROOT, "mean accuracy:      %.4f%n", scores.meanAccuracy());
      out.printf(Locale.ROOT, "mean IoU:           %.4f (classes in the truth or the masks; against the ground truth)%n",
          scores.meanIou());
      out.printf(Locale.ROOT, "f.w. IoU:           %.4f%n", scores.frequencyWeightedIou());
    }
    out.println("class areas (mean fraction of the frame where present, frames present):");
    areaByLabel.forEach((label, sums) ->
        out.printf(Locale.ROOT, "  %-12s %.4f  %d%n", label, sums[0] / sums[1], (long) sums[1]));
    out.flush();
    return text.toString();
  }
}
