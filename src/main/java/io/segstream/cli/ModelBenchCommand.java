package io.segstream.cli;

import io.segstream.bench.PredictorThroughput;
import io.segstream.config.SegstreamConfig;
import ai.djl.Device;
import io.segstream.inference.DjlSegmenter;
import io.segstream.inference.ModelConfig;
import io.segstream.inference.ModelInstancePool;
import io.segstream.inference.SessionSettings;
import io.segstream.inference.TensorFlowRuntime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Raw model throughput: one model instance, batched predictor calls on synthetic frames, no Kafka and
 * no batcher. Writes {@code model-throughput.csv} and {@code .md}.
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description = "Raw model throughput (images/s) per frame size and batch size, no Kafka.")
public final class ModelBenchCommand implements Callable<Integer> {

  @Option(names = "--model", description = "SavedModel dir with segstream-model.properties (default: ${DEFAULT-VALUE}).")
  Path modelDir = Path.of(SegstreamConfig.DEFAULT_MODEL_DIR);

  @Option(names = "--sizes", split = ",", description = "Frame sizes, N (square) or WxH (default: ${DEFAULT-VALUE}).")
  List<String> sizes = List.of("128", "256");

  @Option(names = "--batches", split = ",", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
  List<Integer> batches = List.of(1, 8);

  @Option(names = "--seconds", description = "Measured seconds per combination (default: ${DEFAULT-VALUE}).")
  double seconds = 10;

  @Option(names = "--device", description = "auto, cpu or gpu:N; auto takes the first device (default: ${DEFAULT-VALUE}).")
  String device = "auto";

  @Option(names = "--intra-op-threads", description = "TensorFlow intra-op threads; 0 derives (default: ${DEFAULT-VALUE}).")
  int intraOpThreads;

  @Option(names = "--inter-op-threads", description = "TensorFlow inter-op threads; 0 derives (default: ${DEFAULT-VALUE}).")
  int interOpThreads;

  @Option(names = "--out", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out = Path.of("target/bench");

  @Override
  public Integer call() throws Exception {
    ModelConfig config = ModelConfig.load(CliPaths.modelDir(modelDir));
    int gpus = TensorFlowRuntime.engine().getGpuCount();
    Device target = ModelInstancePool.parseDevices(device, gpus).get(0);
    int cores = Runtime.getRuntime().availableProcessors();
    SessionSettings session = ModelInstancePool.sessionSettings(cores, 1, intraOpThreads, interOpThreads);
    List<PredictorThroughput.Result> results = new ArrayList<>();
    try (DjlSegmenter segmenter = DjlSegmenter.load(config, target, session)) {
      for (String size : sizes) {
        int[] wh = PredictorThroughput.parseSize(size);
        for (int batch : batches) {
          PredictorThroughput.Result result =
              PredictorThroughput.measure(segmenter, wh[0], wh[1], batch, seconds);
          results.add(result);
          System.out.printf(Locale.ROOT, "%dx%d batch %d: %.1f images/s (%.1f ms per call)%n",
              result.width(), result.height(), batch, result.imagesPerSecond(), result.meanMsPerCall());
        }
      }
    }
    String setup = String.format(Locale.ROOT, "model %s:%s (%s), device %s, %d cores, %s, %s",
        config.name(), config.version(), modelDir, ModelInstancePool.deviceName(target), cores, session, Instant.now());
    Files.createDirectories(out);
    Files.writeString(out.resolve("model-throughput.csv"), csv(config, target, results));
    Files.writeString(out.resolve("model-throughput.md"), markdown(setup, results));
    System.out.println("Wrote " + out.resolve("model-throughput.csv") + " and .md");
    return 0;
  }

  private static String csv(ModelConfig config, Device device, List<PredictorThroughput.Result> results) {
    StringBuilder csv = new StringBuilder(
        "model,version,device,width,height,batch,calls,seconds,images_per_s,mean_ms_per_call,p50_ms_per_call,p95_ms_per_call,forward_ms_per_call\n");
    for (PredictorThroughput.Result r : results) {
      csv.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f%n",
          config.name(), config.version(), ModelInstancePool.deviceName(device), r.width(), r.height(),
          r.batch(), r.calls(), r.seconds(), r.imagesPerSecond(), r.meanMsPerCall(), r.p50MsPerCall(),
          r.p95MsPerCall(), r.forwardMsPerCall()));
    }
    return csv.toString();
  }

  private static String markdown(String setup, List<PredictorThroughput.Result> results) {
    StringBuilder md = new StringBuilder("# Raw model throughput\n\n").append(setup).append("\n\n")
        .append("| size | batch | images/s | ms per call (mean) | p50 ms | p95 ms | model forward ms | calls |\n")
        .append("|---|---|---|---|---|---|---|---|\n");
    for (PredictorThroughput.Result r : results) {
      md.append(String.format(Locale.ROOT, "| %dx%d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %d |%n",
          r.width(), r.height(), r.batch(), r.imagesPerSecond(), r.meanMsPerCall(), r.p50MsPerCall(),
          r.p95MsPerCall(), r.forwardMsPerCall(), r.calls()));
    }
    return md.toString();
  }
}
