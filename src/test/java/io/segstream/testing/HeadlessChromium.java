package io.segstream.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol (a WebSocket, which the JDK
 * speaks): open a page, evaluate JavaScript in it, take a screenshot. Enough for a test to see what a
 * person would, without a WebDriver.
 */
public final class HeadlessChromium implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final WebSocket page;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  /** True when a {@code chromium} runs here. */
  public static boolean installed() {
    return Tools.runs("chromium", "--version");
  }

  /** Starts chromium showing {@code url} in a {@code width} x {@code height} window. */
  public HeadlessChromium(String url, int width, int height, Path profile) throws Exception {
    // --no-sandbox: containers and root (CI) have no user namespaces for Chromium's sandbox; the
    // page is our own, on loopback.
    process = new ProcessBuilder("chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--remote-debugging-port=0",
        "--remote-allow-origins=*", "--user-data-dir=" + profile, "--window-size=" + width + "," + height, url)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      page = connect();
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** The DevTools WebSocket of the page chromium opened. */
  private WebSocket connect() throws Exception {
    String browserSocket = devToolsAddress();
    URI browser = URI.create(browserSocket);
    HttpClient http = HttpClient.newHttpClient();
    String pageSocket = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (pageSocket == null && System.nanoTime() < deadline) {
      JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
          URI.create("http://" + browser.getHost() + ":" + browser.getPort() + "/json/list")).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      for (JsonNode target : targets) {
        if (target.path("type").asText().equals("page")) {
          pageSocket = target.path("webSocketDebuggerUrl").asText();
        }
      }
      if (pageSocket == null) {
        Thread.sleep(200);
      }
    }
    if (pageSocket == null) {
      throw new IOException("chromium opened no page");
    }
    return http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new Replies()).get(30, TimeUnit.SECONDS);
  }

  /** The browser's DevTools WebSocket, which chromium prints on stderr once listening. */
  private String devToolsAddress() throws IOException {
    BufferedReader stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = stderr.readLine()) != null) {
      Matcher m = DEVTOOLS.matcher(line);
      if (m.find()) {
        // Keep draining stderr, or chromium blocks once the pipe fills.
        Thread drain = new Thread(() -> {
          try {
            stderr.transferTo(java.io.Writer.nullWriter());
          } catch (IOException e) {
            // chromium exited
          }
        }, "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        return m.group(1);
      }
      seen.append(line).append('\n');
    }
    throw new IOException("chromium exited before listening:\n" + seen);
  }

  /** Collects a reply's fragments and completes the call waiting for its id. */
  private final class Replies implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(text.toString());
          CompletableFuture<JsonNode> call = message.has("id") ? pending.remove(message.get("id").asInt()) : null;
          if (call != null) {
            call.complete(message);
          }
        } catch (IOException e) {
          // not a reply we wait for
        }
        text.setLength(0);
      }
      socket.request(1);
      return null;
    }
  }

  private JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    pending.put(id, reply);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    page.sendText(JSON.writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
    JsonNode answer = reply.get(60, TimeUnit.SECONDS);
    if (answer.has("error")) {
      throw new IOException(method + " failed: " + answer.get("error"));
    }
    return answer.get("result");
  }

  /** The value of a JavaScript expression in the page (JSON-serialisable values only). */
  public JsonNode evaluate(String expression) throws Exception {
    JsonNode result = call("Runtime.evaluate",
        JSON.createObjectNode().put("expression", expression).put("returnByValue", true));
    if (result.has("exceptionDetails")) {
      throw new IOException("the page threw: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** The page as a PNG, as a person would see it. */
  public byte[] screenshot() throws Exception {
    return Base64.getDecoder().decode(call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"))
        .get("data").asText());
  }

  @Override
  public void close() throws Exception {
    if (page != null) {
      page.abort();
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
