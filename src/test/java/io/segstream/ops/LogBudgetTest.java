package io.segstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogBudgetTest {

  @Test
  void allowsTheBudgetPerWindowAndCountsTheRest() {
    AtomicLong now = new AtomicLong();
    LogBudget budget = new LogBudget(2, 1_000, now::get);
    assertTrue(budget.tryAcquire());
    assertTrue(budget.tryAcquire());
    assertFalse(budget.tryAcquire());
    assertFalse(budget.tryAcquire());

    now.addAndGet(1_000_000_000L); // next window
    assertTrue(budget.tryAcquire());
    assertEquals(2, budget.takeSuppressed());
    assertEquals(0, budget.takeSuppressed());
  }
}
