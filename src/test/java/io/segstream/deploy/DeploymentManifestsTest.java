package io.segstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.segstream.config.SegstreamConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No cluster runs here, so the deployment is checked as {@code kubectl kustomize deploy/k8s} renders it
 * (what {@code kubectl apply -k} would send): it must run as non-root on a read-only root filesystem,
 * probe the endpoints the app serves, and name only real config keys. The images' run-time user is
 * checked in the Dockerfiles; ProcessorImageIT runs the image itself.
 */
class DeploymentManifestsTest {

  private static final Path K8S = Path.of("deploy/k8s");
  private static final Set<String> SERVED_PATHS = Set.of("/healthz", "/readyz", "/metrics");
  private static List<Map<String, Object>> rendered;

  @BeforeAll
  static void render() throws Exception {
    Process kubectl;
    try {
      kubectl = new ProcessBuilder("kubectl", "kustomize", K8S.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      String reason = "kubectl is not installed (it renders deploy/k8s): " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) {
        fail(reason + " (CI=true requires it)");
      }
      assumeTrue(false, reason);
      return;
    }
    String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize did not finish");
    assertEquals(0, kubectl.exitValue(), "kubectl kustomize deploy/k8s failed:\n" + output);
    rendered = documents(output);
  }

  @Test
  void kustomizationListsEveryManifestAndAllParse() throws IOException {
    Map<String, Object> kustomization = only(K8S.resolve("kustomization.yaml"));
    @SuppressWarnings("unchecked")
    List<String> resources = (List<String>) kustomization.get("resources");
    try (Stream<Path> files = Files.list(K8S)) {
      Set<String> onDisk =
          files.map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .collect(Collectors.toSet());
      assertEquals(onDisk, Set.copyOf(resources));
    }
    for (String resource : resources) {
      for (Map<String, Object> doc : documents(K8S.resolve(resource))) {
        assertNotNull(doc.get("apiVersion"), resource);
        assertNotNull(doc.get("kind"), resource);
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void deploymentRunsAsNonRootWithGpuLimitAndProbesServedPaths() {
    Map<String, Object> pod = path(renderedKind("Deployment"), "spec", "template", "spec");
    assertEquals(true, path(pod, "securityContext").get("runAsNonRoot"));
    List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
    for (Map<String, Object> container : containers) {
      assertEquals(false, path(container, "securityContext").get("allowPrivilegeEscalation"));
      assertEquals(true, path(container, "securityContext").get("readOnlyRootFilesystem"));
      assertNotNull(path(container, "resources", "limits").get("nvidia.com/gpu"));
      for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
        String probed = (String) path(container, probe, "httpGet").get("path");
        assertTrue(SERVED_PATHS.contains(probed), probe + " probes " + probed);
      }
      assertEquals("/readyz", path(container, "readinessProbe", "httpGet").get("path"));
    }
  }

  @Test
  void configMapNamesOnlyRealSettings() {
    Map<String, Object> data = path(renderedKind("ConfigMap"), "data");
    Set<String> known =
        SegstreamConfig.CONFIG.names().stream().map(SegstreamConfig::envVar).collect(Collectors.toSet());
    for (String variable : data.keySet()) {
      assertTrue(known.contains(variable), variable + " is not a segstream setting");
    }
  }

  @Test
  void imagesRunAsNonRootUser() throws IOException {
    for (String name : List.of("docker/Dockerfile", "docker/Dockerfile.cuda")) {
      List<String> lines = Files.readAllLines(Path.of(name));
      int lastFrom = -1;
      String user = null;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).trim();
        if (line.startsWith("FROM ")) {
          lastFrom = i;
          user = null;
        } else if (line.startsWith("USER ")) {
          user = line.substring(5).trim();
        }
      }
      assertTrue(lastFrom >= 0, name);
      assertNotNull(user, name + ": the runtime stage sets no USER");
      assertFalse(user.equals("root") || user.startsWith("0"), name + " runs as " + user);
    }
  }

  @Test
  void imagesHealthCheckAsksHealthzNotJustThePort() throws IOException {
    for (String name : List.of("docker/Dockerfile", "docker/Dockerfile.cuda")) {
      String dockerfile = Files.readString(Path.of(name)).replace("\\\n", " ");
      String healthcheck = dockerfile.lines().filter(l -> l.startsWith("HEALTHCHECK")).findFirst()
          .orElseThrow(() -> new AssertionError(name + " has no HEALTHCHECK"));
      assertTrue(healthcheck.contains("GET /healthz"), name + ": " + healthcheck);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void composeEnvironmentNamesOnlyRealSettings() throws IOException {
    Set<String> known =
        SegstreamConfig.CONFIG.names().stream().map(SegstreamConfig::envVar).collect(Collectors.toSet());
    Map<String, Object> services = path(only(Path.of("docker/compose.yaml")), "services");
    for (String service : List.of("segstream", "producer")) {
      Map<String, Object> environment = path((Map<String, Object>) services.get(service), "environment");
      for (String variable : environment.keySet()) {
        assertTrue(known.contains(variable), service + ": " + variable + " is not a segstream setting");
      }
    }
  }

  @Test
  void everyRenderedObjectIsInTheSegstreamNamespace() {
    assertEquals(Set.of("ConfigMap", "Deployment", "Namespace", "ScaledObject", "Service", "ServiceMonitor"),
        rendered.stream().map(doc -> (String) doc.get("kind")).collect(Collectors.toSet()));
    for (Map<String, Object> doc : rendered) {
      Map<String, Object> metadata = path(doc, "metadata");
      String namespace = "Namespace".equals(doc.get("kind")) ? (String) metadata.get("name")
          : (String) metadata.get("namespace");
      assertEquals("segstream", namespace, doc.get("kind") + " " + metadata.get("name"));
    }
  }

  private static Map<String, Object> renderedKind(String kind) {
    List<Map<String, Object>> matching = rendered.stream().filter(doc -> kind.equals(doc.get("kind"))).toList();
    assertEquals(1, matching.size(), "rendered " + kind + " objects");
    return matching.get(0);
  }

  private static List<Map<String, Object>> documents(Path file) throws IOException {
    return documents(Files.readString(file));
  }

  private static List<Map<String, Object>> documents(String yaml) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(yaml)) {
      if (doc != null) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) doc;
        docs.add(map);
      }
    }
    return docs;
  }

  private static Map<String, Object> only(Path file) throws IOException {
    List<Map<String, Object>> docs = documents(file);
    assertEquals(1, docs.size(), file.toString());
    return docs.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> path(Map<String, Object> root, String... keys) {
    Map<String, Object> node = root;
    for (String key : keys) {
      node = (Map<String, Object>) node.get(key);
      assertNotNull(node, "missing " + key);
    }
    return node;
  }
}
