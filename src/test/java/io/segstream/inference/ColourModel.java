package io.segstream.inference;

import io.segstream.image.RgbImage;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A tiny SavedModel whose mask is known exactly: a 1x1 convolution that scores each pixel's red, green
 * and blue channel as classes 0, 1 and 2, so a pixel's class is its dominant channel.
 */
public final class ColourModel {

  public static final List<String> LABELS = List.of("red", "green", "blue");

  /** How the exported model presents its scores. */
  public enum Outputs {
    /** "probabilities" (softmax) and "classes" (int32 argmax), like segstream's FCN. */
    PROBABILITIES_AND_CLASSES,
    /** Only "logits": segstream applies softmax and argmax itself. */
    LOGITS_ONLY
  }

  private ColourModel() {}

  /** Exports the model into {@code dir} with its segstream-model.properties. */
  public static Path export(Path dir, Outputs outputs) throws IOException {
    return export(dir, outputs, false);
  }

  /**
   * The same model, except that every image of a batch after the first makes it allocate 2^60
   * floats (4 EiB, beyond any address space): a batch of one runs (so the model loads and warms up),
   * a batch of two fails with TensorFlow's own out-of-memory error, at once and on any machine.
   */
  public static Path exportFittingOneImagePerCall(Path dir) throws IOException {
    return export(dir, Outputs.PROBABILITIES_AND_CLASSES, true);
  }

  private static Path export(Path dir, Outputs outputs, boolean oneImagePerCall) throws IOException {
    TensorFlowRuntime.engine();
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> image =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, -1, 3)));
      float[][][][] identity = new float[1][1][3][3];
      for (int c = 0; c < 3; c++) {
        identity[0][0][c][c] = 10f;
      }
      Operand<TFloat32> weights = tf.variable(tf.constant(identity));
      Operand<TFloat32> logits = tf.nn.conv2d(image, weights, List.of(1L, 1L, 1L, 1L), "SAME");
      if (oneImagePerCall) {
        // A [N - 1, 2^60] tensor of zeros, summed into the logits (adding nothing when it is empty).
        Operand<TInt64> extraImages = tf.math.sub(
            tf.slice(tf.shape(image, TInt64.class), tf.constant(new long[] {0}), tf.constant(new long[] {1})),
            tf.constant(new long[] {1}));
        Operand<TFloat32> zeros = tf.fill(
            tf.concat(List.of(extraImages, tf.constant(new long[] {1L << 60})), tf.constant(0)), tf.constant(0f));
        logits = tf.math.add(logits, tf.sum(zeros, tf.constant(new int[] {0, 1})));
      }
      try (Session session = new Session(graph)) {
        session.initialize();
        Signature.Builder signature = Signature.builder().key("serving_default").input("image", image);
        if (outputs == Outputs.PROBABILITIES_AND_CLASSES) {
          signature
              .output("probabilities", tf.nn.softmax(logits))
              .output("classes", tf.math.argMax(logits, tf.constant(3), TInt32.class));
        } else {
          signature.output("logits", logits);
        }
        SavedModelBundle.exporter(dir.toString()).withSession(session).withSignature(signature.build()).export();
      }
    }
    Properties props = new Properties();
    props.setProperty("name", "colour");
    props.setProperty("version", "1");
    props.setProperty("input", "image");
    props.setProperty("input.scale", "1/255");
    props.setProperty("input.offset", "0");
    props.setProperty("labels", String.join(",", LABELS));
    props.setProperty("layout", "NHWC");
    if (outputs == Outputs.PROBABILITIES_AND_CLASSES) {
      props.setProperty("output", "probabilities");
      props.setProperty("classes.output", "classes");
    } else {
      props.setProperty("output", "logits");
      props.setProperty("output.activation", "softmax");
    }
    try (Writer out = Files.newBufferedWriter(dir.resolve(ModelConfig.FILE_NAME))) {
      props.store(out, "test colour classifier");
    }
    return dir;
  }

  /** The class of pixel (x, y) in {@link #image}: a seeded pattern over the three classes. */
  public static int expectedClass(int x, int y, int seed) {
    return Math.floorMod(x * 7 + y * 3 + seed * 11 + (x * y) % 5, 3);
  }

  /** An image whose pixel (x, y) has {@link #expectedClass} as its clearly dominant channel. */
  public static RgbImage image(int width, int height, int seed) {
    byte[] pixels = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int dominant = expectedClass(x, y, seed);
        for (int c = 0; c < 3; c++) {
          int value = c == dominant ? 160 + (x + 3 * y + seed) % 96 : (x * 13 + y * 5 + c * 17 + seed) % 100;
          pixels[(y * width + x) * 3 + c] = (byte) value;
        }
      }
    }
    return new RgbImage(width, height, pixels);
  }

  public static byte[] expectedMask(int width, int height, int seed) {
    byte[] mask = new byte[width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        mask[y * width + x] = (byte) expectedClass(x, y, seed);
      }
    }
    return mask;
  }
}
