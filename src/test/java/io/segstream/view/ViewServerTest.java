package io.segstream.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live view shows private frames: where it listens, who may see it, and TLS. */
class ViewServerTest {

  private static final String TOKEN = "s3cret-view-token";

  private final CameraBoard board = new CameraBoard(ViewEvents.decoder(), 5_000, System::currentTimeMillis);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private ViewServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private ViewServer start(String bind, String token, Path keystore, String keystorePassword) throws Exception {
    server = new ViewServer(new ViewServer.Settings(bind, 0, token, keystore, keystorePassword, 5_000), board,
        () -> ProcessorMetrics.Figures.unknown("not in this test"));
    return server;
  }

  private HttpResponse<String> get(HttpClient client, String url, String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void byDefaultItListensOnLoopbackOnly() throws Exception {
    SegstreamConfig defaults = new SegstreamConfig(Map.of());
    String bind = defaults.getString(SegstreamConfig.VIEW_BIND_ADDRESS);
    assertTrue(InetAddress.getByName(bind).isLoopbackAddress(), bind);
    start(bind, null, null, null);
    assertTrue(server.address().getAddress().isLoopbackAddress());
    assertEquals(200, get(http, server.url(), null).statusCode());
    // From another address of this machine the port is closed.
    Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
    if (external.isPresent()) {
      try (Socket socket = new Socket()) {
        assertThrows(ConnectException.class,
            () -> socket.connect(new InetSocketAddress(external.get(), server.address().getPort()), 2_000));
      }
    }
  }

  @Test
  void anotherAddressWithoutATokenIsRefused() {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> start("0.0.0.0", null, null, null));
    assertTrue(refused.getMessage().contains("view.auth.token"), refused.getMessage());
  }

  @Test
  void aConfiguredTokenIsRequiredForThePageAndItsEvents() throws Exception {
    start("0.0.0.0", TOKEN, null, null);
    String base = "http://127.0.0.1:" + server.address().getPort() + "/";
    HttpResponse<String> anonymous = get(http, base, null);
    assertEquals(401, anonymous.statusCode());
    assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"),
        "a browser is asked to log in");
    assertEquals(401, get(http, base + "events", null).statusCode());
    assertEquals(401, get(http, base, "Bearer wrong-token").statusCode());
    assertEquals(401, get(http, base, basic("viewer", "wrong-token")).statusCode());
    HttpResponse<String> bearer = get(http, base, "Bearer " + TOKEN);
    assertEquals(200, bearer.statusCode());
    assertTrue(bearer.body().contains("segstream live view"));
    assertEquals(200, get(http, base, basic("anyone", TOKEN)).statusCode());
  }

  @Test
  void secretsDoNotPrint() {
    ViewServer.Settings settings = new ViewServer.Settings("127.0.0.1", 0, TOKEN, null, "keystore-secret", 5_000);
    assertFalse(settings.toString().contains(TOKEN));
    assertFalse(settings.toString().contains("keystore-secret"));
    SegstreamConfig config = new SegstreamConfig(Map.of(SegstreamConfig.VIEW_AUTH_TOKEN, TOKEN,
        SegstreamConfig.VIEW_TLS_KEYSTORE_PASSWORD, "keystore-secret"));
    assertFalse(config.values().toString().contains(TOKEN));
    assertFalse(config.values().toString().contains("keystore-secret"));
  }

  @Test
  void withAKeystoreItServesHttpsOnly(@TempDir Path dir) throws Exception {
    Path keystore = dir.resolve("view.p12");
    String password = "changeit-view";
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "view", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", password, "-keypass", password)
        .redirectErrorStream(true).start();
    String keytoolOutput = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, keytool.waitFor(), keytoolOutput);
    start("127.0.0.1", TOKEN, keystore, password);
    assertTrue(server.url().startsWith("https://"), server.url());

    KeyStore trusted = KeyStore.getInstance(keystore.toFile(), password.toCharArray());
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trust.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    String url = "https://127.0.0.1:" + server.address().getPort() + "/";
    HttpResponse<String> page = get(https, url, "Bearer " + TOKEN);
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("segstream live view"));
    assertEquals(401, get(https, url, null).statusCode(), "TLS does not replace the token");
    assertThrows(IOException.class, () -> get(http, "http://127.0.0.1:" + server.address().getPort() + "/", null),
        "no plain HTTP on the TLS port");
  }

  @Test
  void eventsCarryEachCameraAsItChanges() throws Exception {
    start("127.0.0.1", null, null, null);
    board.frame(ViewEvents.frame("cam-a", 1));
    board.mask(ViewEvents.mask("cam-a", 1, Instant.now()));
    board.areas(ViewEvents.areas("cam-a", 1, 0.5));
    HttpResponse<InputStream> events = http.send(HttpRequest.newBuilder(URI.create(server.url() + "events")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals("text/event-stream; charset=utf-8", events.headers().firstValue("Content-Type").orElse(""));
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
      String first = reader.readLine();
      assertTrue(first.startsWith("data: {"), first);
      assertTrue(first.contains("\"streamId\":\"cam-a\"") && first.contains("\"overlayPng\":\"iVBOR"), first);
      assertTrue(first.contains("\"fractions\":{\"circle\":0.5}"), first);
      board.areas(ViewEvents.areas("cam-b", 1, 0.25));
      String next;
      do {
        next = reader.readLine();
      } while (next != null && !next.startsWith("data: "));
      assertTrue(next.contains("\"streamId\":\"cam-b\""), "a second camera appears: " + next);
    }
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
