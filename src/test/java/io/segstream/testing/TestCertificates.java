package io.segstream.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Key and trust stores for TLS tests (the broker's listeners, an https schema registry), made with the
 * JDK's {@code keytool} at test time in one folder: PKCS12, self-signed, valid for 127.0.0.1 and
 * localhost for two days.
 */
public final class TestCertificates {

  public static final String STORE_TYPE = "PKCS12";

  private final Path dir;

  public TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** A self-signed key pair in {@code name}.p12 (returned), its certificate in {@code name}.crt. */
  public Path keyPair(String name, String password) throws Exception {
    keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=segstream-" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-storetype", STORE_TYPE, "-keystore", keystore(name).toString(),
        "-storepass", password, "-keypass", password);
    keytool("-exportcert", "-rfc", "-alias", name, "-keystore", keystore(name).toString(),
        "-storepass", password, "-file", certificate(name).toString());
    return keystore(name);
  }

  /** Adds {@code trusted}'s certificate to the truststore {@code owner}-trust.p12 (returned). */
  public Path trust(String owner, String trusted, String password) throws Exception {
    keytool("-importcert", "-noprompt", "-alias", trusted, "-file", certificate(trusted).toString(),
        "-storetype", STORE_TYPE, "-keystore", truststore(owner).toString(), "-storepass", password);
    return truststore(owner);
  }

  public Path keystore(String name) {
    return dir.resolve(name + ".p12");
  }

  public Path truststore(String owner) {
    return dir.resolve(owner + "-trust.p12");
  }

  public Path certificate(String name) {
    return dir.resolve(name + ".crt");
  }

  /**
   * A TLS context with {@code name}'s key pair (none when null), trusting what {@code trustOwner}'s
   * truststore holds (nothing when null): a test server's, or a test's own client's.
   */
  public SSLContext sslContext(String name, String password, String trustOwner, String trustPassword)
      throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(name == null ? load(null, null) : load(keystore(name), password),
        name == null ? new char[0] : password.toCharArray());
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trustOwner == null ? load(null, null) : load(truststore(trustOwner), trustPassword));
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  /** The store at {@code store}, or an empty one when it is null. */
  private static KeyStore load(Path store, String password) throws Exception {
    KeyStore keyStore = KeyStore.getInstance(STORE_TYPE);
    if (store == null) {
      keyStore.load(null, null);
      return keyStore;
    }
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, password.toCharArray());
    }
    return keyStore;
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "keytool failed: " + output);
  }
}
