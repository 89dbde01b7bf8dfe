package io.segstream.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class MaterialTest {

  private static final String REASON = "ffmpeg is not installed (apt-get install ffmpeg)";

  private static Material withEnvironment(Map<String, String> environment) {
    return new Material(environment::get);
  }

  private static final Material CI = withEnvironment(Map.of("CI", "true"));
  private static final Material DEVELOPER = withEnvironment(Map.of());

  @Test
  void missingMaterialFailsUnderCiWithTheReasonAndHowToGetIt() {
    AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> CI.check(false, REASON));
    assertTrue(failure.getMessage().contains(REASON), failure.getMessage());
    assertTrue(failure.getMessage().contains("scripts/fetch-test-photos.sh"), failure.getMessage());
  }

  @Test
  void missingMaterialSkipsOutsideCiWithTheReason() {
    TestAbortedException skip = assertThrows(TestAbortedException.class, () -> DEVELOPER.check(false, REASON));
    assertTrue(skip.getMessage().contains(REASON), skip.getMessage());
  }

  @Test
  void onlyCiEqualToTrueCounts() {
    assertThrows(AssertionFailedError.class, () -> withEnvironment(Map.of("CI", "TRUE")).check(false, REASON));
    assertThrows(TestAbortedException.class, () -> withEnvironment(Map.of("CI", "false")).check(false, REASON));
    assertThrows(TestAbortedException.class, () -> withEnvironment(Map.of("CI", "")).check(false, REASON));
  }

  @Test
  void presentMaterialPassesEverywhere() {
    assertDoesNotThrow(() -> CI.check(true, REASON));
    assertDoesNotThrow(() -> DEVELOPER.check(true, REASON));
    assertFalse(CI.evaluate(true, REASON).isDisabled());
    assertFalse(DEVELOPER.evaluate(true, REASON).isDisabled());
  }

  @Test
  void aConditionFailsUnderCiAndDisablesOutside() {
    AssertionFailedError failure = assertThrows(AssertionFailedError.class, () -> CI.evaluate(false, REASON));
    assertTrue(failure.getMessage().contains(REASON), failure.getMessage());
    ConditionEvaluationResult outside = DEVELOPER.evaluate(false, REASON);
    assertTrue(outside.isDisabled());
    assertTrue(outside.getReason().orElseThrow().contains(REASON));
  }
}
