package io.segstream.testing;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Whether an external tool a test drives (chromium, prometheus, ...) is installed here. */
public final class Tools {

  private Tools() {}

  /** True when {@code command} (e.g. {@code chromium --version}) runs and exits 0 within a minute. */
  public static boolean runs(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
