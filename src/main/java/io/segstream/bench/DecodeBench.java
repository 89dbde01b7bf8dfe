package io.segstream.bench;

import io.segstream.image.RgbImage;
import java.lang.management.ManagementFactory;
import com.sun.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Times image decoders side by side on the same encoded frames, on one thread. The decoders take
 * turns, one pass over all frames each per round, so a change in the machine's load hits all of
 * them alike; the first round only warms up (JIT, native libraries). CPU is the whole process's:
 * TensorFlow runs its kernels on its own threads, which the calling thread's CPU time would miss.
 */
public final class DecodeBench {

  /** One decoder under test. */
  public interface Decoder {
    RgbImage decode(byte[] encoded) throws Exception;
  }

  /** A named decoder. */
  public record Candidate(String name, Decoder decoder) {}

  /** What one decoder took per frame: wall ms and the process's CPU ms. */
  public record Result(String size, String decoder, int frames, double wallMsPerFrame,
      double cpuMsPerFrame, double meanAbsDiffToFirst) {}

  private DecodeBench() {}

  /**
   * Runs {@code rounds} measured rounds (after one warm-up round) of every candidate over
   * {@code frames}; the first candidate is the reference the others' pixels are compared with.
   */
  public static List<Result> measure(String size, List<byte[]> frames, List<Candidate> candidates,
      int rounds) throws Exception {
    OperatingSystemMXBean os =
        ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
    long[] wallNanos = new long[candidates.size()];
    long[] cpuNanos = new long[candidates.size()];
    for (int round = 0; round <= rounds; round++) {
      for (int c = 0; c < candidates.size(); c++) {
        Decoder decoder = candidates.get(c).decoder();
        long cpu = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (byte[] frame : frames) {
          decoder.decode(frame);
        }
        if (round > 0) {
          wallNanos[c] += System.nanoTime() - start;
          cpuNanos[c] += os.getProcessCpuTime() - cpu;
        }
      }
    }
    List<Result> results = new ArrayList<>();
    double decoded = (double) frames.size() * rounds;
    for (int c = 0; c < candidates.size(); c++) {
      results.add(new Result(size, candidates.get(c).name(), frames.size(), wallNanos[c] / 1e6 / decoded,
          cpuNanos[c] / 1e6 / decoded, c == 0 ? 0 : meanAbsDiff(frames, candidates.get(0), candidates.get(c))));
    }
    return results;
  }

  /** Mean absolute difference per channel value between two decoders' pixels, over all frames. */
  static double meanAbsDiff(List<byte[]> frames, Candidate reference, Candidate other) throws Exception {
    long sum = 0;
    long values = 0;
    for (byte[] frame : frames) {
      RgbImage a = reference.decoder().decode(frame);
      RgbImage b = other.decoder().decode(frame);
      if (a.width() != b.width() || a.height() != b.height()) {
        throw new IllegalStateException(other.name() + " decoded " + b.width() + "x" + b.height()
            + ", " + reference.name() + " " + a.width() + "x" + a.height());
      }
      byte[] pa = a.pixels();
      byte[] pb = b.pixels();
      for (int i = 0; i < pa.length; i++) {
        sum += Math.abs((pa[i] & 0xFF) - (pb[i] & 0xFF));
      }
      values += pa.length;
    }
    return (double) sum / values;
  }

  /** The results as a Markdown table, each decoder's time also relative to the first one's. */
  public static String markdown(List<Result> results) {
    StringBuilder md = new StringBuilder(
        "| size | decoder | frames | wall ms/frame | CPU ms/frame | vs first | mean abs pixel diff vs first |\n"
            + "|---|---|---|---|---|---|---|\n");
    Result first = null;
    for (Result r : results) {
      if (first == null || !first.size().equals(r.size())) {
        first = r;
      }
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2fx | %.2f |%n", r.size(),
          r.decoder(), r.frames(), r.wallMsPerFrame(), r.cpuMsPerFrame(),
          r.cpuMsPerFrame() / first.cpuMsPerFrame(), r.meanAbsDiffToFirst()));
    }
    return md.toString();
  }
}
