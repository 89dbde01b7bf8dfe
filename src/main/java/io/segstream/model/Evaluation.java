package io.segstream.model;

import java.util.List;
import java.util.Locale;

/**
 * Segmentation quality from a confusion matrix accumulated over any number of masks: pixel accuracy,
 * per-class intersection over union and their mean (the FCN paper's "mean IU").
 *
 * <p>Mean IoU averages over classes that occur in the ground truth or the predictions; a class absent
 * from both has no defined IoU and is left out.
 */
public final class Evaluation {

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
      confusion[checked(truth[i])][checked(predicted[i])]++;
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

  /** |truth = c and predicted = c| / |truth = c or predicted = c|; NaN if c occurs in neither. */
  public double iou(int c) {
    long truth = 0;
    long predicted = 0;
    for (int k = 0; k < confusion.length; k++) {
      truth += confusion[c][k];
      predicted += confusion[k][c];
    }
    long union = truth + predicted - confusion[c][c];
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

  /** A printable table: per-class IoU and pixel share, then pixel accuracy and mean IoU. */
  public String table() {
    StringBuilder out = new StringBuilder();
    long total = pixels();
    out.append(String.format(Locale.ROOT, "%-12s %8s %9s%n", "class", "IoU", "pixels"));
    for (int c = 0; c < labels.size(); c++) {
      long truth = 0;
      for (long n : confusion[c]) {
        truth += n;
      }
      out.append(String.format(Locale.ROOT, "%-12s %8.4f %8.2f%%%n", labels.get(c), iou(c), 100.0 * truth / total));
    }
    out.append(String.format(Locale.ROOT, "%-12s %8.4f%n", "mean IoU", meanIou()));
    out.append(String.format(Locale.ROOT, "%-12s %8.4f%n", "pixel acc.", pixelAccuracy()));
    return out.toString();
  }

  private int checked(byte classId) {
    int c = classId & 0xff;
    if (c >= confusion.length) {
      throw new IllegalArgumentException("class id " + c + " outside 0.." + (confusion.length - 1));
    }
    return c;
  }
}
