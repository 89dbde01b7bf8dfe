package io.segstream.model;

import io.segstream.image.RgbImage;
import io.segstream.model.data.LabeledDataset;
import io.segstream.model.data.LabeledImage;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Trains an FCN with TensorFlow from Java on {@link TrainingData}: seeded synthetic scenes or a labeled
 * dataset, from scratch or from a {@link Transfer}red backbone.
 *
 * <p>Loss: mean per-pixel softmax cross-entropy over whole images, computed from {@code logSoftmax}
 * (TensorFlow has no gradient for the sparse cross-entropy op); void pixels ({@code 255}) are left
 * out of both the sum and the pixel count. Optimiser: Adam ({@code ApplyAdam}
 * per parameter, bias correction fed from Java), learning rate warmed up linearly over the first 5% of
 * steps, then cosine-decayed to zero. Initial weights and batches depend only on the seed and every
 * update waits for the whole backward pass, so the same options give the same weights. Checkpoints are TensorFlow checkpoints of all variables (weights and
 * Adam moments) plus the step; a trainer resumes from the checkpoint in its directory.
 */
public final class FcnTrainer implements AutoCloseable {

  public static final String CHECKPOINT_STATE = "checkpoint.properties";
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-7f;

  private final TrainingOptions options;
  private final FcnBuilder builder;
  private final TrainingData data;
  private final Transfer transfer;
  private final Graph graph = new Graph();
  private final Session session;
  private final TrainableWeights weights;
  private final FcnGraph net;
  private final Placeholder<TInt32> labels;
  private final Placeholder<TFloat32> learningRate;
  private final Placeholder<TFloat32> beta1Power;
  private final Placeholder<TFloat32> beta2Power;
  private final Operand<TFloat32> loss;
  private final Op trainStep;
  /** Updates the score layers only: the step while a transferred backbone is frozen. */
  private final Op trainHeadStep;
  private int step;

  /** Trains on seeded synthetic scenes from scratch. */
  public FcnTrainer(TrainingOptions options, SyntheticScenes generator) {
    this(options, TrainingData.synthetic(options, generator), null);
  }

  /** @param transfer where the backbone comes from, or null to train from scratch */
  public FcnTrainer(TrainingOptions options, TrainingData data, Transfer transfer) {
    this.options = options;
    this.data = data;
    this.transfer = transfer;
    this.builder = transfer == null ? new FcnBuilder(options.variant(), options.width(), data.labels().size())
        : transfer.builder(options.variant(), options.width(), data.labels().size());
    Ops tf = Ops.create(graph);
    weights = new TrainableWeights(options.seed(), transfer == null ? Map.of() : transfer.presets(builder));
    net = builder.build(tf, weights);
    labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1, -1)));
    loss = crossEntropy(tf, net.logits(), labels, builder.numClasses());
    learningRate = scalar(tf, "learning_rate");
    beta1Power = scalar(tf, "beta1_power");
    beta2Power = scalar(tf, "beta2_power");
    Op[] steps = adam(tf);
    trainStep = steps[0];
    trainHeadStep = steps[1];
    ConfigProto config = ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(options.threads())
        .setInterOpParallelismThreads(1)
        .build();
    session = new Session(graph, config);
    session.initialize();
    try {
      restoreCheckpoint();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public FcnBuilder builder() {
    return builder;
  }

  /** Steps done so far, including those restored from a checkpoint. */
  public int step() {
    return step;
  }

  /** The class labels the network predicts, in class id order. */
  public List<String> labels() {
    return data.labels();
  }

  /**
   * Trains up to {@link TrainingOptions#steps()}, saving checkpoints and scoring the validation split
   * as configured and at the end.
   */
  public void train(TrainingListener listener) throws IOException {
    while (step < options.steps()) {
      float batchLoss = run(data.batches().batch(step), trainingOp());
      step++;
      listener.onStep(step, options.steps(), batchLoss);
      boolean last = step == options.steps();
      if (data.validation() != null && data.validateEvery() > 0 && (step % data.validateEvery() == 0 || last)) {
        listener.onValidation(step, validate());
      }
      if (options.checkpointEvery() > 0 && (step % options.checkpointEvery() == 0 || last)) {
        saveCheckpoint();
        listener.onCheckpoint(step);
      }
    }
  }

  /** Mean per-pixel cross-entropy (void pixels left out) of the current model on {@code batch}. */
  public float loss(List<LabeledImage> batch) {
    return run(batch, null);
  }

  /** Scores the current model on the validation split, one image at a time (sizes may differ). */
  public Evaluation validate() throws IOException {
    LabeledDataset validation = data.validation();
    if (validation == null) {
      throw new IllegalStateException("this run has no validation split");
    }
    Evaluation evaluation = new Evaluation(data.labels());
    for (int i = 0; i < validation.size(); i++) {
      LabeledImage sample = validation.read(i);
      evaluation.add(sample.truth(), predict(sample.image()));
    }
    return evaluation;
  }

  /** The current model's class id per pixel of {@code image}, row-major. */
  public byte[] predict(RgbImage image) {
    try (TFloat32 imageTensor = TFloat32.tensorOf(Shape.of(1, image.height(), image.width(), 3),
            DataBuffers.of(ImageTensors.toNhwc(List.of(image)), true, false));
        Result result = session.runner().feed(net.image(), imageTensor).fetch(net.classes()).run()) {
      int[] classes = new int[image.width() * image.height()];
      ((TInt32) result.get(0)).asRawTensor().data().asInts().read(classes);
      byte[] ids = new byte[classes.length];
      for (int i = 0; i < classes.length; i++) {
        ids[i] = (byte) classes[i];
      }
      return ids;
    }
  }

  private Op trainingOp() {
    return transfer != null && step < transfer.freezeBackboneSteps() ? trainHeadStep : trainStep;
  }

  /** The current weights, ready for an inference graph. */
  public FrozenWeights weights() {
    return weights.freeze(session);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  /** The batch's loss, after applying {@code update} to the weights when it is not null. */
  private float run(List<LabeledImage> batch, Op update) {
    LabeledImage first = batch.get(0);
    int height = first.image().height();
    int width = first.image().width();
    int[] labelData = new int[batch.size() * width * height];
    List<RgbImage> images = new ArrayList<>(batch.size());
    for (int n = 0; n < batch.size(); n++) {
      images.add(batch.get(n).image());
      byte[] truth = batch.get(n).truth();
      for (int i = 0; i < truth.length; i++) {
        labelData[n * truth.length + i] = truth[i] & 0xff;
      }
    }
    int t = step + 1;
    try (TFloat32 imageTensor = TFloat32.tensorOf(Shape.of(batch.size(), height, width, 3),
            DataBuffers.of(ImageTensors.toNhwc(images), true, false));
        TInt32 labelTensor = TInt32.tensorOf(Shape.of(batch.size(), height, width),
            DataBuffers.of(labelData, true, false));
        TFloat32 lr = TFloat32.scalarOf((float) learningRate(step));
        TFloat32 b1 = TFloat32.scalarOf((float) Math.pow(BETA1, t));
        TFloat32 b2 = TFloat32.scalarOf((float) Math.pow(BETA2, t))) {
      Session.Runner runner = session.runner().feed(net.image(), imageTensor).feed(labels, labelTensor);
      if (update != null) {
        runner.feed(learningRate, lr).feed(beta1Power, b1).feed(beta2Power, b2).addTarget(update);
      }
      try (Result result = runner.fetch(loss).run()) {
        return ((TFloat32) result.get(0)).getFloat();
      }
    }
  }

  /** Linear warm-up over the first 5% of steps, then cosine decay to zero. */
  double learningRate(int stepIndex) {
    double warmup = Math.max(1, options.steps() / 20.0);
    double ramp = Math.min(1.0, (stepIndex + 1) / warmup);
    double cosine = 0.5 * (1 + Math.cos(Math.PI * stepIndex / options.steps()));
    return options.learningRate() * ramp * cosine;
  }

  private static Operand<TFloat32> crossEntropy(Ops tf, Operand<TFloat32> logits, Operand<TInt32> labels,
      int numClasses) {
    // One row per pixel: TensorFlow's C++ gradient of LogSoftmax sums over axis 1, so it is only
    // right for rank-2 input.
    Operand<TFloat32> pixelLogits = tf.reshape(logits, tf.constant(new int[] {-1, numClasses}));
    Operand<TInt32> pixelLabels = tf.reshape(labels, tf.constant(new int[] {-1}));
    // A void label (255, beyond the classes) one-hot encodes as all zeros: its pixel adds nothing.
    Operand<TFloat32> oneHot = tf.oneHot(pixelLabels, tf.constant(numClasses), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> logProbabilities = tf.nn.logSoftmax(pixelLogits);
    Operand<TFloat32> pixelLoss = tf.math.neg(tf.reduceSum(tf.math.mul(oneHot, logProbabilities), tf.constant(1)));
    Operand<TFloat32> scored = tf.reduceSum(oneHot, tf.constant(new int[] {0, 1}));
    return tf.withName("loss").math.div(tf.reduceSum(pixelLoss, tf.constant(0)),
        tf.math.maximum(scored, tf.constant(1f)));
  }

  /** {all parameters' update, score layers' update}: Adam steps that share their moments. */
  private Op[] adam(Ops tf) {
    List<Variable<TFloat32>> variables = List.copyOf(weights.variables().values());
    List<String> names = List.copyOf(weights.variables().keySet());
    Gradients gradients = tf.gradients(loss, variables);
    List<Identity<TFloat32>> ready = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      ready.add(tf.identity(gradients.<TFloat32>dy(i)));
    }
    // Variables are references: without this gate an update could run while the backward pass of a
    // layer still reads its weights, making gradients inconsistent and runs non-deterministic.
    Ops adam = tf.withSubScope("adam").withControlDependencies(List.<Op>copyOf(ready));
    Operand<TFloat32> beta1 = tf.constant(BETA1);
    Operand<TFloat32> beta2 = tf.constant(BETA2);
    Operand<TFloat32> epsilon = tf.constant(EPSILON);
    List<Op> updates = new ArrayList<>();
    List<Op> headUpdates = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Variable<TFloat32> variable = variables.get(i);
      Ops slots = tf.withSubScope("adam").withSubScope(names.get(i).replace('/', '_'));
      Operand<TFloat32> zeros = slots.zeros(slots.constant(variable.shape()), TFloat32.class);
      Variable<TFloat32> m = slots.withName("m").variable(zeros);
      Variable<TFloat32> v = slots.withName("v").variable(zeros);
      Op update = adam.train.applyAdam(variable, m, v, beta1Power, beta2Power, learningRate, beta1, beta2,
          epsilon, ready.get(i));
      updates.add(update);
      if (!Transfer.isBackbone(names.get(i))) {
        headUpdates.add(update);
      }
    }
    return new Op[] {tf.withName("train_step").withControlDependencies(updates).noOp(),
        tf.withName("train_head_step").withControlDependencies(headUpdates).noOp()};
  }

  /** The options', the data's and the starting point's settings that a resumed run must share. */
  private String fingerprint() {
    StringBuilder run = new StringBuilder(options.fingerprint());
    if (!data.batches().describe().isEmpty()) {
      run.append(",data ").append(data.batches().describe()).append(",labels ").append(String.join("|", data.labels()));
    }
    if (transfer != null) {
      run.append(',').append(transfer.describe());
    }
    return run.toString();
  }

  private static Placeholder<TFloat32> scalar(Ops tf, String name) {
    return tf.withName(name).placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
  }

  private Path prefix() {
    return options.checkpointDir().resolve("fcn");
  }

  private void saveCheckpoint() {
    try {
      Files.createDirectories(options.checkpointDir());
      session.save(prefix().toString());
      Properties state = new Properties();
      state.setProperty("step", Integer.toString(step));
      state.setProperty("run", fingerprint());
      Path file = options.checkpointDir().resolve(CHECKPOINT_STATE);
      Path temporary = options.checkpointDir().resolve(CHECKPOINT_STATE + ".tmp");
      try (Writer out = Files.newBufferedWriter(temporary)) {
        state.store(out, "segstream training checkpoint");
      }
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint to " + options.checkpointDir(), e);
    }
  }

  private void restoreCheckpoint() {
    if (options.checkpointDir() == null) {
      return;
    }
    Path file = options.checkpointDir().resolve(CHECKPOINT_STATE);
    if (!Files.isRegularFile(file)) {
      return;
    }
    Properties state = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      state.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint state " + file, e);
    }
    String run = state.getProperty("run", "");
    if (!run.equals(fingerprint())) {
      throw new IllegalStateException("checkpoint in " + options.checkpointDir() + " belongs to another run ("
          + run + ", this run is " + fingerprint() + "); delete it or choose another checkpoint dir");
    }
    session.restore(prefix().toString());
    step = Integer.parseInt(state.getProperty("step"));
  }
}
