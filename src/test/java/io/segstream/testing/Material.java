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
 */
public final class Material {

  /** How to get what is missing, added to every failure under CI. */
  static final String HOW_TO_FETCH = "the build fetches test material before the tests "
      + "(./mvnw generate-test-resources runs scripts/fetch-human-models.sh, scripts/fetch-test-photos.sh, "
      + "scripts/fetch-live-tools.sh, scripts/fetch-apicurio.sh, scripts/container-runtime.sh; not with -Dsegstream.fetch.skip=true)";

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

  private static String ciFailure(String reason) {
    return "test material missing under CI=true, where missing material fails instead of skipping: "
        + reason + "; " + HOW_TO_FETCH;
  }
}
