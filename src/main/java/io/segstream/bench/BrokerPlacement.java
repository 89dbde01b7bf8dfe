package io.segstream.bench;

/**
 * Where the stream benchmark's broker runs, which decides what its CPU figures count: this process's
 * CPU time includes an in-JVM broker's work, not that of a broker in a process of its own.
 */
public enum BrokerPlacement {
  IN_JVM("in-JVM", "in this JVM, so its CPU is in the CPU figures"),
  OWN_PROCESS("own process", "a JVM of its own, so the CPU figures are the processor's (and its clients') alone");

  private final String label;
  private final String description;

  BrokerPlacement(String label, String description) {
    this.label = label;
    this.description = description;
  }

  /** How results name it. */
  public String label() {
    return label;
  }

  String description() {
    return description;
  }
}
