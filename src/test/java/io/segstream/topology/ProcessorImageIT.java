package io.segstream.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.config.SegstreamConfig;
import io.segstream.contracts.ImageEncoding;
import io.segstream.contracts.ImageFrame;
import io.segstream.contracts.SegmentationMask;
import io.segstream.contracts.serde.AvroSerdes;
import io.segstream.image.FrameEncoder;
import io.segstream.image.MaskCodec;
import io.segstream.model.SyntheticScenes;
import io.segstream.testing.ContainerRuntime;
import io.segstream.testing.FreshTopics;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import org.yaml.snakeyaml.Yaml;

/**
 * The processor image (docker/Dockerfile, built from this build's jar) on a network with a Kafka
 * container, as deploy/k8s runs it: read-only root filesystem, a tmpfs on /tmp, user 10001. Frames go
 * in from the host, masks come back to the host and must match the scenes' ground truth, and the
 * host reaches /readyz. Runs after `package` (failsafe), since the image needs target/segstream-runtime.jar.
 */
@ExtendWith(ContainerRuntime.Required.class)
@Tag("integration")
@Timeout(600)
class ProcessorImageIT {

  private static final Path REPO = Path.of(System.getProperty("segstream.repo.dir", "."));
  private static final String TF_NATIVE = "target/tf-native/org/tensorflow/internal/c_api/linux-x86_64";
  private static final int FRAMES = 8;
  private static final int SIZE = 128;

  private static Network network;
  private static KafkaContainer kafka;
  private static GenericContainer<?> processor;
  private static Map<String, Object> settings;

  @BeforeAll
  static void startKafkaAndProcessor() throws Exception {
    ContainerRuntime runtime = ContainerRuntime.require();
    DockerImageName image = processorImage(runtime);
    network = Network.newNetwork();
    kafka = runtime.kafka();
    kafka.withNetwork(network).withListener("kafka:19092").start();
    settings = FreshTopics.settings(kafka.getBootstrapServers(), "segstream-image-it");
    processor = new GenericContainer<>(image)
        .withNetwork(network)
        .withEnv(SegstreamConfig.envVar(SegstreamConfig.BOOTSTRAP_SERVERS), "kafka:19092")
        .withExposedPorts(8080)
        .withTmpFs(Map.of("/tmp", "rw"))
        .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withReadonlyRootfs(true))
        .waitingFor(Wait.forHttp("/readyz").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(4)));
    for (String key : List.of(SegstreamConfig.APPLICATION_ID, SegstreamConfig.TOPIC_FRAMES,
        SegstreamConfig.TOPIC_MASKS, SegstreamConfig.TOPIC_AREAS, SegstreamConfig.TOPIC_DLQ,
        SegstreamConfig.TOPIC_PARTITIONS)) {
      processor.withEnv(SegstreamConfig.envVar(key), settings.get(key).toString());
    }
    processor.start();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable closeable : new AutoCloseable[] {processor, kafka, network}) {
      try {
        if (closeable != null) {
          closeable.close();
        }
      } catch (Exception e) {
        System.err.println("stopping " + closeable + ": " + e);
      }
    }
  }

  @Test
  void runsAsUser10001OnAReadOnlyRootFilesystem() throws Exception {
    assertEquals("10001", processor.execInContainer("id", "-u").getStdout().trim());
    var write = processor.execInContainer("touch", "/app/written");
    assertTrue(write.getExitCode() != 0 && write.getStderr().contains("Read-only file system"),
        "the root filesystem took a write: " + write);
  }

  @Test
  @SuppressWarnings("unchecked")
  void dockerfileHealthCheckPassesInsideTheRunningImage() throws Exception {
    // Podman's Docker API does not report an image's health check and runs it from systemd timers these
    // machines lack, so the HEALTHCHECK's CMD is taken from the Dockerfile and run here by hand.
    String dockerfile = Files.readString(REPO.resolve("docker/Dockerfile")).replace("\\\n", " ");
    String healthcheck = dockerfile.lines().filter(l -> l.startsWith("HEALTHCHECK")).findFirst().orElseThrow();
    List<String> command = (List<String>) new Yaml().load(healthcheck.substring(healthcheck.indexOf("CMD ") + 4));
    var result = processor.execInContainer(command.toArray(String[]::new));
    assertEquals(0, result.getExitCode(), "HEALTHCHECK " + command + " failed: " + result);
  }

  @Test
  void readyzAnswersTheHost() throws Exception {
    HttpResponse<String> ready = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://" + processor.getHost() + ":"
            + processor.getMappedPort(8080) + "/readyz")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ready.statusCode(), ready.body());
  }

  @Test
  void framesFromTheHostBecomeMasksMatchingGroundTruth() throws Exception {
    SegstreamConfig config = new SegstreamConfig(settings);
    Topics topics = Topics.fromConfig(config);
    AvroSerdes serdes = AvroSerdes.fromConfig(config);
    SyntheticScenes scenes = new SyntheticScenes();
    List<ProducerRecord<byte[], byte[]>> input = new ArrayList<>();
    for (int i = 0; i < FRAMES; i++) {
      ImageFrame frame = new FrameEncoder(ImageEncoding.PNG)
          .frame("cam", i, Instant.now(), scenes.generate(5000 + i, SIZE, SIZE).image(), Map.of());
      input.add(PipelineIntegrationTestBase.record(topics.frames(), "cam",
          serdes.forValues(ImageFrame.class).serializer().serialize(topics.frames(), frame)));
    }
    PipelineIntegrationTestBase.produce(kafka.getBootstrapServers(), input);
    long correct = 0;
    long total = 0;
    for (ConsumerRecord<byte[], byte[]> record : PipelineIntegrationTestBase.consume(config, topics.masks(), FRAMES)) {
      SegmentationMask mask = serdes.forValues(SegmentationMask.class).deserializer()
          .deserialize(record.topic(), record.value());
      byte[] labels = scenes.generate(5000 + mask.getFrameSeq(), SIZE, SIZE).labels();
      byte[] predicted = MaskCodec.decode(mask).classIds();
      for (int p = 0; p < labels.length; p++) {
        correct += labels[p] == predicted[p] ? 1 : 0;
      }
      total += labels.length;
    }
    double accuracy = (double) correct / total;
    // What the container holds once the model has run: the README's heap figure comes from this line.
    System.out.println("processor container after " + FRAMES + " frames: "
        + processor.execInContainer("grep", "-E", "VmRSS|VmHWM", "/proc/1/status").getStdout()
            .replaceAll("\\s+", " ").trim());
    assertTrue(accuracy > 0.85, "pixel accuracy through the container " + accuracy);
  }

  /**
   * docker/Dockerfile built from this build's outputs, on the local base where the build made one.
   * The tag is a digest of the inputs, so an unchanged build reuses the image instead of rebuilding.
   */
  private static DockerImageName processorImage(ContainerRuntime runtime) throws Exception {
    Map<String, Path> context = Map.of(
        "docker/Dockerfile", REPO.resolve("docker/Dockerfile"),
        "target/segstream-runtime.jar", REPO.resolve("target/segstream-runtime.jar"),
        "target/lib-run", REPO.resolve("target/lib-run"),
        TF_NATIVE, REPO.resolve(TF_NATIVE),
        "models/fcn-default", REPO.resolve("models/fcn-default"));
    for (Path path : context.values()) {
      assertTrue(Files.exists(path), path + " is missing: the image is built after `package`");
    }
    String base = runtime.baseImage().orElse(null);
    String tag = "localhost/segstream-it:" + digest(context.values(), base);
    boolean present = !DockerClientFactory.instance().client().listImagesCmd()
        .withImageNameFilter(tag).exec().isEmpty();
    if (!present) {
      ImageFromDockerfile build = new ImageFromDockerfile(tag, false).withDockerfilePath("docker/Dockerfile");
      context.forEach(build::withFileFromPath);
      if (base != null) {
        build.withBuildArg("BASE", base);
      }
      build.get();
    }
    removeOlderBuilds(tag);
    return DockerImageName.parse(tag);
  }

  /** Each build is about 1 GB: keep only the current one (untagging; other names of an image stay). */
  private static void removeOlderBuilds(String current) {
    var docker = DockerClientFactory.instance().client();
    for (var image : docker.listImagesCmd().exec()) {
      for (String tag : image.getRepoTags() == null ? new String[0] : image.getRepoTags()) {
        if (tag.startsWith("localhost/segstream-it:") && !tag.equals(current)) {
          try {
            docker.removeImageCmd(tag).exec();
          } catch (RuntimeException e) {
            System.err.println("could not remove the older build " + tag + ": " + e);
          }
        }
      }
    }
  }

  /** File names, sizes and contents (the large TensorFlow libraries by name and size only). */
  private static String digest(Iterable<Path> roots, String base) throws IOException {
    MessageDigest sha = sha256();
    sha.update(String.valueOf(base).getBytes());
    for (Path root : roots) {
      try (Stream<Path> files = Files.walk(root)) {
        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
          sha.update(REPO.relativize(file).toString().getBytes());
          sha.update(Long.toString(Files.size(file)).getBytes());
          if (!file.startsWith(REPO.resolve(TF_NATIVE))) {
            try (InputStream in = Files.newInputStream(file)) {
              byte[] buffer = new byte[1 << 16];
              for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
              }
            }
          }
        }
      }
    }
    return HexFormat.of().formatHex(sha.digest(), 0, 8);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
