package io.segstream.contracts.serde;

/**
 * Lets Avro instantiate segstream's generated classes when reading.
 *
 * <p>Avro only instantiates classes from packages listed in the {@code
 * org.apache.avro.SERIALIZABLE_PACKAGES} system property, which it reads once when its reader classes
 * load. This class deliberately references no Avro class, so calling it first thing in {@code main}
 * takes effect.
 */
public final class AvroTrust {

  public static final String PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";
  public static final String CONTRACTS_PACKAGE = "io.segstream.contracts";

  private AvroTrust() {}

  /** Adds the contracts package to the trusted packages, keeping any already listed. */
  public static synchronized void trustGeneratedClasses() {
    String current = System.getProperty(PROPERTY);
    if (current == null || current.isBlank()) {
      System.setProperty(PROPERTY, CONTRACTS_PACKAGE);
    } else if (!java.util.Arrays.asList(current.split(",")).contains(CONTRACTS_PACKAGE)) {
      System.setProperty(PROPERTY, current + "," + CONTRACTS_PACKAGE);
    }
  }
}
