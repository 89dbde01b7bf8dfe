package io.segstream.model;

/** Told after every training step. */
@FunctionalInterface
public interface TrainingListener {

  /**
   * @param step steps done so far (1-based)
   * @param totalSteps steps the run will do in all
   * @param loss mean per-pixel cross-entropy of this step's batch
   */
  void onStep(int step, int totalSteps, float loss);

  default void onCheckpoint(int step) {}

  /** The validation split scored after {@code step} steps. */
  default void onValidation(int step, Evaluation validation) {}

  TrainingListener NONE = (step, total, loss) -> {};
}
