package io.segstream.inference;

import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * TensorFlow session options of a model instance, handed to DJL as its {@code ConfigProto} model option.
 *
 * <p>TensorFlow creates its CPU thread pools once per process, sized by the first session loaded; later
 * sessions' thread counts are ignored. The pool therefore gives every instance the same settings.
 *
 * @param intraOpThreads threads one op may use (0: TensorFlow picks, about one per core)
 * @param interOpThreads ops run concurrently (0: TensorFlow picks)
 * @param threadSpinning whether idle intra-op threads spin-wait for work (TensorFlow's default) rather
 *     than sleep: spinning takes cores from the decode, encode and Kafka work beside the model
 */
public record SessionSettings(int intraOpThreads, int interOpThreads, boolean threadSpinning) {

  /** Thread counts with segstream's default: no spinning. */
  public SessionSettings(int intraOpThreads, int interOpThreads) {
    this(intraOpThreads, interOpThreads, false);
  }

  public SessionSettings {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new IllegalArgumentException(
          "thread counts must be >= 0, got intra " + intraOpThreads + ", inter " + interOpThreads);
    }
  }

  /** TensorFlow's own thread counts, without spinning. */
  public static SessionSettings defaults() {
    return new SessionSettings(0, 0);
  }

  /** These settings with spinning idle threads on or off. */
  public SessionSettings withThreadSpinning(boolean spinning) {
    return new SessionSettings(intraOpThreads, interOpThreads, spinning);
  }

  /**
   * The session's {@code ConfigProto}, base64 encoded as DJL's TensorFlow engine reads it.
   *
   * <p>With GPUs, every session sees all of them (TensorFlow refuses sessions of one process that map
   * GPUs differently) and grows its GPU memory on demand instead of grabbing it all at start, so several
   * instances can share one GPU. Soft placement lets ops without a GPU kernel fall back to the CPU.
   */
  public String configProtoOption(int gpuCount) {
    ConfigProto.Builder config =
        ConfigProto.newBuilder()
            .setIntraOpParallelismThreads(intraOpThreads)
            .setInterOpParallelismThreads(interOpThreads)
            .setAllowSoftPlacement(true)
            .setExperimental(ConfigProto.Experimental.newBuilder().setDisableThreadSpinning(!threadSpinning));
    if (gpuCount > 0) {
      String allGpus =
          IntStream.range(0, gpuCount).mapToObj(Integer::toString).collect(Collectors.joining(","));
      config.setGpuOptions(
          GPUOptions.newBuilder().setVisibleDeviceList(allGpus).setAllowGrowth(true).build());
    }
    return Base64.getEncoder().encodeToString(config.build().toByteArray());
  }
}
