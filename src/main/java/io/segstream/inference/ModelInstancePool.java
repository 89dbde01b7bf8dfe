package io.segstream.inference;

import ai.djl.Device;
import io.segstream.config.SegstreamConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model instances a {@link DynamicBatcher} dispatches to: {@code instances.per.device} copies of
 * the model on each of {@code devices}, each with its own predictor pinned to its device.
 *
 * <p>{@code devices} is {@code cpu}, a list such as {@code gpu:0,gpu:1} (may include {@code cpu}), or
 * {@code auto}: every GPU TensorFlow sees, else the CPU. Several instances on one GPU overlap one
 * batch's host-side work with another's compute; on a CPU they mostly add memory. So {@code
 * instances.per.device} 0 (the default) means 2 on a GPU and 1 on the CPU.
 */
public final class ModelInstancePool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelInstancePool.class);

  private final List<ModelInstance> instances;

  /** A pool of given instances (tests use fake backends); the pool closes them. */
  public ModelInstancePool(List<ModelInstance> instances) {
    if (instances.isEmpty()) {
      throw new IllegalArgumentException("a pool needs at least one model instance");
    }
    Set<String> ids = new HashSet<>();
    for (ModelInstance instance : instances) {
      if (!ids.add(instance.id())) {
        throw new IllegalArgumentException("duplicate model instance id " + instance.id());
      }
    }
    this.instances = List.copyOf(instances);
  }

  /** Loads the model of {@code config.model.dir} as {@code devices} x {@code instances.per.device}. */
  public static ModelInstancePool fromConfig(SegstreamConfig config, ModelConfig model) throws IOException {
    int gpus = TensorFlowRuntime.engine().getGpuCount();
    List<Device> devices = parseDevices(config.getString(SegstreamConfig.DEVICES), gpus);
    return load(model, devices, config.getInt(SegstreamConfig.INSTANCES_PER_DEVICE), sessionSettings(config, devices));
  }

  /** The session settings {@code config} gives the instances it loads on {@code devices}. */
  public static SessionSettings sessionSettings(SegstreamConfig config, List<Device> devices) {
    int perDevice = config.getInt(SegstreamConfig.INSTANCES_PER_DEVICE);
    return sessionSettings(
            Runtime.getRuntime().availableProcessors(),
            devices.stream().mapToInt(device -> instancesOn(device, perDevice)).sum(),
            config.getInt(SegstreamConfig.TF_INTRA_OP_THREADS),
            config.getInt(SegstreamConfig.TF_INTER_OP_THREADS))
        .withThreadSpinning(config.getBoolean(SegstreamConfig.TF_THREAD_SPINNING));
  }

  /**
   * Instances on {@code device} for an {@code instances.per.device} of {@code configured}: that, or
   * for 0 two on a GPU (one batch computes while another's inputs go in and results come out, as
   * with Triton's instance_group count 2) and one on the CPU (a second would only split the cores).
   */
  public static int instancesOn(Device device, int configured) {
    return configured > 0 ? configured : device.isGpu() ? 2 : 1;
  }

  /**
   * Loads {@link #instancesOn} instances on each device for {@code perDevice}; on failure closes what
   * it loaded.
   */
  public static ModelInstancePool load(
      ModelConfig model, List<Device> devices, int perDevice, SessionSettings session) throws IOException {
    List<ModelInstance> loaded = new ArrayList<>();
    try {
      for (Device device : devices) {
        for (int i = 0; i < instancesOn(device, perDevice); i++) {
          DjlSegmenter segmenter = DjlSegmenter.load(model, device, session);
          String name = deviceName(device);
          loaded.add(new ModelInstance(name + "#" + i, name, segmenter));
        }
      }
    } catch (IOException | RuntimeException e) {
      loaded.forEach(instance -> instance.backend().close());
      throw e;
    }
    log.info("Loaded {} on {} instance(s) {} with {}", model, loaded.size(),
        loaded.stream().map(ModelInstance::id).toList(), session);
    return new ModelInstancePool(loaded);
  }

  /**
   * Parses {@code devices}: {@code auto}, {@code cpu}, or a comma-separated list of {@code cpu} and
   * {@code gpu:N}.
   *
   * @param gpuCount GPUs TensorFlow sees
   */
  public static List<Device> parseDevices(String spec, int gpuCount) {
    String text = spec.trim().toLowerCase(Locale.ROOT);
    if (text.equals("auto")) {
      if (gpuCount == 0) {
        return List.of(Device.cpu());
      }
      List<Device> gpus = new ArrayList<>();
      for (int i = 0; i < gpuCount; i++) {
        gpus.add(Device.gpu(i));
      }
      return gpus;
    }
    Set<Device> devices = new LinkedHashSet<>();
    for (String part : text.split(",")) {
      String name = part.trim();
      Device device;
      if (name.equals("cpu")) {
        device = Device.cpu();
      } else if (name.matches("gpu:\\d{1,3}")) {
        int index = Integer.parseInt(name.substring(4));
        if (index >= gpuCount) {
          throw new IllegalArgumentException(
              "devices=" + spec + ": " + name + " requested but TensorFlow sees " + gpuCount + " GPU(s)");
        }
        device = Device.gpu(index);
      } else {
        throw new IllegalArgumentException(
            "devices=" + spec + ": '" + name + "' is not auto, cpu or gpu:N");
      }
      if (!devices.add(device)) {
        throw new IllegalArgumentException("devices=" + spec + ": " + name + " is listed twice");
      }
    }
    return List.copyOf(devices);
  }

  /**
   * Thread settings for {@code instances} instances on {@code cores} cores; a configured count (> 0)
   * wins. TensorFlow's thread pools are process-wide and shared by all sessions: the intra-op pool
   * should span every core, and the inter-op pool needs a thread per instance so that concurrent
   * model calls do not queue behind each other.
   */
  public static SessionSettings sessionSettings(int cores, int instances, int intraOp, int interOp) {
    return new SessionSettings(
        intraOp > 0 ? intraOp : Math.max(1, cores), interOp > 0 ? interOp : Math.max(1, instances));
  }

  /** A device as {@code devices} names it: cpu or gpu:N. */
  public static String deviceName(Device device) {
    return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
  }

  public List<ModelInstance> instances() {
    return instances;
  }

  public int size() {
    return instances.size();
  }

  @Override
  public void close() {
    for (ModelInstance instance : instances) {
      try {
        instance.backend().close();
      } catch (Exception e) {
        log.warn("Closing model instance {} failed", instance.id(), e);
      }
    }
  }
}
