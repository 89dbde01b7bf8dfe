package io.segstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {

  private static final List<String> LABELS = List.of("background", "a", "b");

  @Test
  void handCountedMasks() {
    // truth:     predicted:
    // 0 0 1 1    0 1 1 1
    // 0 0 1 1    0 0 1 0
    // 2 2 0 0    2 0 0 0
    byte[] truth = {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 0, 0};
    byte[] predicted = {0, 1, 1, 1, 0, 0, 1, 0, 2, 0, 0, 0};
    Evaluation evaluation = new Evaluation(LABELS);
    evaluation.add(truth, predicted);

    assertEquals(12, evaluation.pixels());
    assertEquals(9.0 / 12, evaluation.pixelAccuracy(), 1e-12);
    assertEquals(1, evaluation.count(0, 1));
    assertEquals(1, evaluation.count(1, 0));
    assertEquals(1, evaluation.count(2, 0));
    // background: 5 right; truth 6, predicted 7 -> union 8.
    assertEquals(5.0 / 8, evaluation.iou(0), 1e-12);
    // a: 3 right; truth 4, predicted 4 -> union 5.
    assertEquals(3.0 / 5, evaluation.iou(1), 1e-12);
    // b: 1 right; truth 2, predicted 1 -> union 2.
    assertEquals(1.0 / 2, evaluation.iou(2), 1e-12);
    assertEquals((5.0 / 8 + 3.0 / 5 + 1.0 / 2) / 3, evaluation.meanIou(), 1e-12);
  }

  /** The FCN paper's four metrics, from the confusion matrix written out by hand; void pixels do not count. */
  @Test
  void fourFcnMetricsFromAHandWrittenConfusionMatrix() {
    // truth\predicted  bg  a  b      truth totals
    //   bg               5  1  0      6
    //   a                1  3  0      4
    //   b                1  0  1      2
    // predicted totals   7  4  1      12 pixels, 9 right
    byte[] truth = {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 0, 0, (byte) 255, (byte) 255};
    byte[] predicted = {0, 1, 1, 1, 0, 0, 1, 0, 2, 0, 0, 0, 1, 2};
    Evaluation evaluation = new Evaluation(LABELS);
    evaluation.add(truth, predicted);

    assertEquals(12, evaluation.pixels(), "the two void pixels are not scored");
    assertEquals(9.0 / 12, evaluation.pixelAccuracy(), 1e-12);
    assertEquals((5.0 / 6 + 3.0 / 4 + 1.0 / 2) / 3, evaluation.meanAccuracy(), 1e-12);
    assertEquals((5.0 / 8 + 3.0 / 5 + 1.0 / 2) / 3, evaluation.meanIou(), 1e-12);
    assertEquals((6 * 5.0 / 8 + 4 * 3.0 / 5 + 2 * 1.0 / 2) / 12, evaluation.frequencyWeightedIou(), 1e-12);
    assertEquals(
        "truth\\predicted,background,a,b\nbackground,5,1,0\na,1,3,0\nb,1,0,1\n", evaluation.confusionCsv());
    String table = evaluation.table();
    assertTrue(table.contains("mean acc.") && table.contains("0.6944"), table);
    assertTrue(table.contains("f.w. IoU") && table.contains("0.5958"), table);
  }

  @Test
  void meanAccuracyLeavesOutClassesAbsentFromTheTruth() {
    Evaluation evaluation = new Evaluation(LABELS);
    // b is predicted once but never true: its accuracy is undefined, its IoU 0.
    evaluation.add(new byte[] {0, 0, 1, 1}, new byte[] {0, 2, 1, 1});
    assertEquals((1.0 / 2 + 1.0) / 2, evaluation.meanAccuracy(), 1e-12);
    assertEquals((1.0 / 2 + 1.0 + 0.0) / 3, evaluation.meanIou(), 1e-12);
    assertEquals((2 * 1.0 / 2 + 2 * 1.0) / 4, evaluation.frequencyWeightedIou(), 1e-12);
  }

  @Test
  void masksAccumulateAndAbsentClassesDoNotCount() {
    Evaluation evaluation = new Evaluation(LABELS);
    evaluation.add(new byte[] {0, 0, 1}, new byte[] {0, 0, 1});
    evaluation.add(new byte[] {1, 1, 0}, new byte[] {1, 0, 0});
    assertEquals(5.0 / 6, evaluation.pixelAccuracy(), 1e-12);
    assertEquals(3.0 / 4, evaluation.iou(0), 1e-12);
    assertEquals(2.0 / 3, evaluation.iou(1), 1e-12);
    assertTrue(Double.isNaN(evaluation.iou(2)), "class b never occurs");
    assertEquals((3.0 / 4 + 2.0 / 3) / 2, evaluation.meanIou(), 1e-12);
    String table = evaluation.table();
    assertTrue(table.contains("mean IoU") && table.contains("0.7083"), table);
  }

  @Test
  void perfectPredictionScoresOne() {
    Evaluation evaluation = new Evaluation(LABELS);
    byte[] mask = {0, 1, 2, 2, 1, 0};
    evaluation.add(mask, mask.clone());
    assertEquals(1.0, evaluation.pixelAccuracy());
    assertEquals(1.0, evaluation.meanIou());
  }

  @Test
  void rejectsMismatchedOrUnknownMasks() {
    Evaluation evaluation = new Evaluation(LABELS);
    assertThrows(IllegalArgumentException.class, () -> evaluation.add(new byte[2], new byte[3]));
    assertThrows(IllegalArgumentException.class, () -> evaluation.add(new byte[] {3}, new byte[] {0}));
  }
}
