package io.segstream.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The live view over HTTP(S): the page at {@code /} and its updates as Server-Sent Events at {@code
 * /events} (one JSON message per change, at least one a second so staleness shows without data).
 *
 * <p>Camera frames are private: it binds to loopback unless told otherwise, refuses any other address
 * without a token, and with a keystore serves HTTPS only.
 */
public final class ViewServer implements AutoCloseable {

  /** Event streams served at once; each holds one thread (the JDK server blocks per exchange). */
  static final int MAX_PAGES = 16;
  private static final long HEARTBEAT_MS = 1_000;

  /** Where and how to serve; {@code token} and {@code keystorePassword} may be null. */
  public record Settings(String bindAddress, int port, String token, Path keystore, String keystorePassword,
      long staleMs) {
    @Override
    public String toString() {
      // Secrets never reach logs.
      return "Settings[" + bindAddress + ":" + port + ", token " + (token == null ? "none" : "set")
          + ", keystore " + keystore + "]";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(MAX_PAGES + 2, runnable -> {
    Thread thread = new Thread(runnable, "segstream-view-http");
    thread.setDaemon(true);
    return thread;
  });
  private final CameraBoard board;
  private final Supplier<ProcessorMetrics.Figures> processor;
  private final byte[] expectedToken;
  private final long staleMs;
  private final boolean tls;
  private volatile boolean closed;

  public ViewServer(Settings settings, CameraBoard board, Supplier<ProcessorMetrics.Figures> processor)
      throws IOException, GeneralSecurityException {
    this.board = board;
    this.processor = processor;
    this.staleMs = settings.staleMs();
    boolean hasToken = settings.token() != null && !settings.token().isEmpty();
    this.expectedToken = hasToken ? settings.token().getBytes(StandardCharsets.UTF_8) : null;
    InetAddress address = InetAddress.getByName(settings.bindAddress());
    if (!address.isLoopbackAddress() && !hasToken) {
      throw new IllegalArgumentException("the live view shows private camera frames: binding it to "
          + settings.bindAddress() + " (not loopback) needs view.auth.token (SEGSTREAM_VIEW_AUTH_TOKEN), "
          + "and view.tls.keystore.location for HTTPS");
    }
    InetSocketAddress socket = new InetSocketAddress(address, settings.port());
    this.tls = settings.keystore() != null;
    if (tls) {
      HttpsServer https = HttpsServer.create(socket, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(sslContext(settings.keystore(), settings.keystorePassword())));
      server = https;
    } else {
      server = HttpServer.create(socket, 0);
    }
    server.createContext("/", this::page);
    server.createContext("/events", this::events);
    server.setExecutor(executor);
    server.start();
  }

  /** The address actually bound (the port too, when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The page's address, for people. */
  public String url() {
    InetSocketAddress bound = address();
    String host = bound.getAddress().isAnyLocalAddress() ? "localhost" : bound.getAddress().getHostAddress();
    return (tls ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort()
        + "/";
  }

  private static SSLContext sslContext(Path keystore, String password) throws IOException, GeneralSecurityException {
    char[] secret = password == null ? new char[0] : password.toCharArray();
    KeyStore store = KeyStore.getInstance(keystore.toFile(), secret);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, secret);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  /** True when the request may see the view: no token configured, or the right one given. */
  private boolean authorised(HttpExchange exchange) {
    if (expectedToken == null) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    byte[] given = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    } else if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String userAndPassword = new String(Base64.getDecoder().decode(header.substring(6).trim()),
            StandardCharsets.UTF_8);
        given = userAndPassword.substring(userAndPassword.indexOf(':') + 1).getBytes(StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        given = null;
      }
    }
    // Constant time, so the answer's timing does not give the token away.
    return given != null && MessageDigest.isEqual(given, expectedToken);
  }

  private boolean refuse(HttpExchange exchange) throws IOException {
    if (authorised(exchange)) {
      return false;
    }
    exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"segstream view\", charset=\"UTF-8\"");
    respond(exchange, 401, "text/plain; charset=utf-8", "authentication required\n".getBytes(StandardCharsets.UTF_8));
    return true;
  }

  private void page(HttpExchange exchange) throws IOException {
    if (refuse(exchange)) {
      return;
    }
    if (!exchange.getRequestURI().getPath().equals("/")) {
      respond(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    try (InputStream in = ViewServer.class.getResourceAsStream("index.html")) {
      respond(exchange, 200, "text/html; charset=utf-8", in.readAllBytes());
    }
  }

  private void events(HttpExchange exchange) throws IOException {
    if (refuse(exchange)) {
      return;
    }
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(200, 0);
    Map<String, Long> pointsSent = new HashMap<>();
    long seen = 0;
    try (OutputStream out = exchange.getResponseBody()) {
      while (!closed) {
        long version = board.awaitChange(seen, HEARTBEAT_MS);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("staleMs", staleMs);
        message.put("processor", processor.get());
        message.put("cameras", board.snapshot(seen, pointsSent));
        out.write(("data: " + JSON.writeValueAsString(message) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        seen = version;
      }
    } catch (IOException e) {
      // the page went away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void respond(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    closed = true;
    server.stop(0);
    executor.shutdownNow();
  }
}
