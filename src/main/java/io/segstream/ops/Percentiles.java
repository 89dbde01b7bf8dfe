package io.segstream.ops;

import java.util.Collection;

/** Percentiles of measured values (latencies) for the summaries of the demo and the benchmarks. */
public final class Percentiles {

  private Percentiles() {}

  /** The {@code p} quantile (0..1) of ascending {@code sorted} values, nearest rank; NaN if empty. */
  public static double of(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1))];
  }

  /** The {@code p} quantile (0..1) of {@code values} in any order, nearest rank; NaN if empty. */
  public static double of(Collection<Double> values, double p) {
    return of(values.stream().mapToDouble(Double::doubleValue).sorted().toArray(), p);
  }
}
