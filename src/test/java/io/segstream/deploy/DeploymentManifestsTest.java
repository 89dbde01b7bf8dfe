package io.segstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine or cluster runs here, so the deployment files are checked by parsing them: they must
 * be valid YAML, run as non-root, probe the endpoints the app serves, and name only real config keys.
 */
class DeploymentManifestsTest {

  private static final Path K8S = Path.of("deploy/k8s");
  private static final Set<String> SERVED_PATHS = Set.of("/healthz", "/readyz", "/metrics");

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
  void deploymentRunsAsNonRootWithGpuLimitAndProbesServedPaths() throws IOException {
    Map<String, Object> deployment = only(K8S.resolve("deployment.yaml"));
    Map<String, Object> pod = path(deployment, "spec", "template", "spec");
    assertEquals(true, path(pod, "securityContext").get("runAsNonRoot"));
    List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
    for (Map<String, Object> container : containers) {
      assertEquals(false, path(container, "securityContext").get("allowPrivilegeEscalation"));
      assertNotNull(path(container, "resources", "limits").get("nvidia.com/gpu"));
      for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
        String probed = (String) path(container, probe, "httpGet").get("path");
        assertTrue(SERVED_PATHS.contains(probed), probe + " probes " + probed);
      }
      assertEquals("/readyz", path(container, "readinessProbe", "httpGet").get("path"));
    }
  }

  @Test
  void configMapNamesOnlyRealSettings() throws IOException {
    Map<String, Object> data = path(only(K8S.resolve("configmap.yaml")), "data");
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

  private static List<Map<String, Object>> documents(Path file) throws IOException {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(Files.readString(file))) {
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
