package io.segstream.model;

import io.segstream.model.data.LabeledDataset;
import java.util.List;
import java.util.Locale;

/**
 * Segmentation quality from a confusion matrix accumulated over any number of masks: the FCN paper's
 * four metrics (pixel accuracy, mean accuracy, mean IU, frequency-weighted IU) and per-class IoU.
 *
 * <p>Mean IoU averages over classes that occur in the ground truth or the predictions; a class absent
 * from both has no defined IoU and is left out. Mean accuracy averages over classes that occur in the
 * ground truth. Truth pixels marked {@link #VOID} (Pascal VOC's object borders) are not counted.
 */
public final class Evaluation {

  /** Truth class id of pixels no prediction is scored on. */
  public static final int VOID = LabeledDataset.VOID;

  private final List<String> labels;
  private final long[][] confusion; // [truth][predicted]

  public Evaluation(List<String> labels) {
    this.labels = List.copyOf(labels);
    this.confusion = new long[labels.size()][labels.size()];
  }

  /** Adds one mask pair: class ids per pixel, same length. */
  public void add(byte[] truth, byte[] predicted) {
    if (truth.length != predicted.length) {
      throw new IllegalArgumentException(
          "truth has " + truth.length + " pixels, prediction " + predicted.length);
    }
    for (int i = 0; i < truth.length; i++) {
      if ((truth[i] & 0xff) != VOID) {
        confusion[checked(truth[i])][checked(predicted[i])]++;
      }
    }
  }

  /** Pixels of class {@code truth} predicted as {@code predicted}. */
  public long count(int truth, int predicted) {
    return confusion[truth][predicted];
  }

  public long pixels() {
    long total = 0;
    for (long[] row : confusion) {
      for (long n : row) {
        total += n;
      }
    }
    return total;
  }

  /** Fraction of pixels whose class is right. */
  public double pixelAccuracy() {
    long correct = 0;
    for (int c = 0; c < confusion.length; c++) {
      correct += confusion[c][c];
    }
    return (double) correct / pixels();
  }

  /** Mean over classes present in the truth of the fraction of their pixels predicted right. */
  public double meanAccuracy() {
    double sum = 0;
    int present = 0;
    for (int c = 0; c < confusion.length; c++) {
      long truth = truthPixels(c);
      if (truth > 0) {
        sum += (double) confusion[c][c] / truth;
        present++;
      }
    }
    return present == 0 ? Double.NaN : sum / present;
  }

  /** Per-class IoU weighted by the class's share of truth pixels. */
  public double frequencyWeightedIou() {
    double sum = 0;
    for (int c = 0; c < confusion.length; c++) {
      long truth = truthPixels(c);
      if (truth > 0) {
        sum += truth * iou(c);
      }
    }
    return sum / pixels();
  }

  /** |truth = c and predicted = c| / |truth = c or predicted = c|; NaN if c occurs in neither. */
  public double iou(int c) {
    long predicted = 0;
    for (long[] row : confusion) {
      predicted += row[c];
    }
    long union = truthPixels(c) + predicted - confusion[c][c];
    return union == 0 ? Double.NaN : (double) confusion[c][c] / union;
  }

  /** Mean of {@link #iou} over the classes where it is defined. */
  public double meanIou() {
    double sum = 0;
    int defined = 0;
    for (int c = 0; c < confusion.length; c++) {
      double iou = iou(c);
      if (!Double.isNaN(iou)) {
        sum += iou;
        defined++;
      }
    }
    return defined == 0 ? Double.NaN : sum / defined;
  }

  /** A printable table: per-class IoU and pixel share, then the four summary metrics. */
  public String table() {
    StringBuilder out = new StringBuilder();
    long total = pixels();
    out.append(String.format(Locale.ROOT, "%-12s %8s %9s%n", "class", "IoU", "pixels"));
    for (int c = 0; c < labels.size(); c++) {
      out.append(String.format(Locale.ROOT, "%-12s %8.4f %8.2f%%%n",
          labels.get(c), iou(c), 100.0 * truthPixels(c) / total));
    }
    out.append(String.format(Locale.ROOT, "%-12s %8.4f%n", "mean IoU", meanIou()));
    out.append(String.format(Locale.ROOT, "%-12s %8.4f%n", "pixel acc.", pixelAccuracy()));
    out.append(String.format(Locale.ROOT, "%-12s %8.4f%n", "mean acc.", meanAccuracy()));
    out.append(String.format(Locale.ROOT, "%-12s %8.4f%n", "f.w. IoU", frequencyWeightedIou()));
    return out.toString();
  }

  /** The confusion matrix as CSV: one row per truth class, one column per predicted class, pixel counts. */
  public String confusionCsv() {
    StringBuilder out = new StringBuilder("truth\\predicted");
    for (String label : labels) {
      out.append(',').append(csvField(label));
    }
    out.append('\n');
    for (int t = 0; t < labels.size(); t++) {
      out.append(csvField(labels.get(t)));
      for (long n : confusion[t]) {
        out.append(',').append(n);
      }
      out.append('\n');
    }
    return out.toString();
  }

  private static String csvField(String text) {
    return text.contains(",") || text.contains("\"") ? '"' + text.replace("\"", "\"\"") + '"' : text;
  }

  private long truthPixels(int c) {
    long truth = 0;
    for (long n : confusion[c]) {
      truth += n;
    }
    return truth;
  }

  private int checked(byte classId) {
    int c = classId & 0xff;
    if (c >= confusion.length) {
      throw new IllegalArgumentException("class id " + c + " outside 0.." + (confusion.length - 1));
    }
    return c;
  }
}
