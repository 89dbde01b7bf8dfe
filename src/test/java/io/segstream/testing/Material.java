package io.segstream.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.opentest4j.TestAbortedException;

/**
 * The one place that decides what a test does when its material (a fetched model, photos, a video,
 * ffmpeg, a registry) is missing. Outside CI it skips with the reason, so a developer without the
 * material still gets a green build that says what was not run. Under {@code CI=true} it fails with the
 * reason, because there a skip would hide that the build never checked what it claims to.
 *
 * <p>{@link KnownGap} is the only way to skip under CI: each entry names the issue that closes it.
 */
public final class Material {

  /** How to get what is missing, added to every failure under CI. */
  static final String HOW_TO_FETCH = "the build fetches test material before the tests "
      + "(./mvnw generate-test-resources runs scripts/fetch-human-models.sh, scripts/fetch-test-photos.sh, "
      + "scripts/fetch-live-tools.sh, scripts/fetch-apicurio.sh; not with -Dsegstream.fetch.skip=true)";

  /** Material CI may lack for now, each with the issue that provides it. Keep this list short. */
  public enum KnownGap {
    CONTAINER_RUNTIME("container runtime: issue 11");

    private final String issue;

    KnownGap(String issue) {
      this.issue = issue;
    }

    public String issue() {
      return issue;
    }
  }

  private static final Material PROCESS = new Material(System::getenv);

  private final UnaryOperator<String> environment;

  /** {@code environment} looks up environment variables; tests pass a map's {@code get}. */
  Material(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  /** Continues when {@code present}; otherwise skips (outside CI) or fails (CI=true) with {@code reason}. */
  public static void require(boolean present, String reason) {
    PROCESS.check(present, reason);
  }

  /**
   * For an {@code ExecutionCondition}: enabled when {@code present}; otherwise disabled with {@code
   * reason} outside CI, and under CI an {@link AssertionError} out of the condition, which JUnit reports
   * as the failure of the test or class the condition guards.
   */
  public static ConditionEvaluationResult condition(boolean present, String reason) {
    return PROCESS.evaluate(present, reason);
  }

  /** Like {@link #condition}, but skips under CI too: only for a {@link KnownGap}. */
  public static ConditionEvaluationResult condition(boolean present, String reason, KnownGap gap) {
    return PROCESS.evaluate(present, reason, gap);
  }

  boolean underCi() {
    return "true".equalsIgnoreCase(environment.apply("CI"));
  }

  void check(boolean present, String reason) {
    if (present) {
      return;
    }
    if (underCi()) {
      fail(ciFailure(reason));
    }
    throw new TestAbortedException("skipped, material missing: " + reason);
  }

  ConditionEvaluationResult evaluate(boolean present, String reason) {
    if (present) {
      return ConditionEvaluationResult.enabled("material present");
    }
    if (underCi()) {
      fail(ciFailure(reason));
    }
    return ConditionEvaluationResult.disabled("skipped, material missing: " + reason);
  }

  ConditionEvaluationResult evaluate(boolean present, String reason, KnownGap gap) {
    return present
        ? ConditionEvaluationResult.enabled("material present")
        : ConditionEvaluationResult.disabled("skipped, known gap (" + gap.issue() + "): " + reason);
  }

  private static String ciFailure(String reason) {
    return "test material missing under CI=true, where missing material fails instead of skipping: "
        + reason + "; " + HOW_TO_FETCH;
  }
}
