package io.segstream.model;

import io.segstream.image.RgbImage;
import io.segstream.model.data.LabeledImage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic synthetic segmentation data: shapes of random colour on a noisy gradient background.
 *
 * <p>Colour never tells the classes apart (every shape and the background draw from the same colour
 * distribution), so a model must learn shape. The same seed and size always give the same scene, which
 * makes held-out sets and stream tests reproducible.
 */
public final class SyntheticScenes {

  public static final List<String> CLASS_LABELS = List.of("background", "circle", "square", "triangle");
  public static final int BACKGROUND = 0;
  public static final int CIRCLE = 1;
  public static final int SQUARE = 2;
  public static final int TRIANGLE = 3;

  /** An image and its ground truth: one class id per pixel, row-major. */
  public record Scene(RgbImage image, byte[] labels) {

    public int labelAt(int x, int y) {
      return labels[y * image.width() + x];
    }

    /** This scene as a labeled image named {@code name}. */
    public LabeledImage labeled(String name) {
      return new LabeledImage(name, image, labels);
    }
  }

  private final int maxShapes;

  public SyntheticScenes() {
    this(3);
  }

  public SyntheticScenes(int maxShapes) {
    this.maxShapes = maxShapes;
  }

  /** The scene for {@code seed} at {@code width x height}. */
  public Scene generate(long seed, int width, int height) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] pixels = new byte[width * height * 3];
    byte[] labels = new byte[width * height];
    paintBackground(random, width, height, pixels);
    int shapes = 1 + random.nextInt(maxShapes);
    int minSide = Math.min(width, height);
    for (int s = 0; s < shapes; s++) {
      int cls = 1 + random.nextInt(3);
      double size = minSide * (0.12 + 0.18 * random.nextDouble());
      double cx = size + random.nextDouble() * Math.max(1, width - 2 * size);
      double cy = size + random.nextDouble() * Math.max(1, height - 2 * size);
      double angle = random.nextDouble() * Math.PI * 2;
      int[] colour = randomColour(random);
      int x0 = (int) Math.max(0, cx - size * 1.5);
      int x1 = (int) Math.min(width - 1, cx + size * 1.5);
      int y0 = (int) Math.max(0, cy - size * 1.5);
      int y1 = (int) Math.min(height - 1, cy + size * 1.5);
      for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
          if (inside(cls, x + 0.5 - cx, y + 0.5 - cy, size, angle)) {
            int i = y * width + x;
            labels[i] = (byte) cls;
            for (int c = 0; c < 3; c++) {
              pixels[i * 3 + c] = (byte) colour[c];
            }
          }
        }
      }
    }
    addNoise(random, pixels);
    return new Scene(new RgbImage(width, height, pixels), labels);
  }

  private static boolean inside(int cls, double dx, double dy, double size, double angle) {
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    double u = dx * cos + dy * sin;
    double v = -dx * sin + dy * cos;
    switch (cls) {
      case CIRCLE:
        return dx * dx + dy * dy <= size * size;
      case SQUARE:
        return Math.abs(u) <= size * 0.85 && Math.abs(v) <= size * 0.85;
      case TRIANGLE:
        // Equilateral triangle of circumradius 1.2*size: inside all three half-planes.
        double r = size * 1.2;
        for (int k = 0; k < 3; k++) {
          double a = Math.PI / 2 + k * 2 * Math.PI / 3;
          if (u * Math.cos(a) + v * Math.sin(a) > r / 2) {
            return false;
          }
        }
        return true;
      default:
        throw new IllegalArgumentException("no shape for class " + cls);
    }
  }

  private static void paintBackground(SplittableRandom random, int width, int height, byte[] pixels) {
    int[] from = randomColour(random);
    int[] to = randomColour(random);
    double gx = random.nextDouble() * 2 - 1;
    double gy = random.nextDouble() * 2 - 1;
    double norm = Math.abs(gx) + Math.abs(gy) + 1e-9;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double t = 0.5 + 0.5 * (gx * (2.0 * x / width - 1) + gy * (2.0 * y / height - 1)) / norm;
        int i = (y * width + x) * 3;
        for (int c = 0; c < 3; c++) {
          pixels[i + c] = (byte) (int) Math.round(from[c] + (to[c] - from[c]) * t);
        }
      }
    }
  }

  private static int[] randomColour(SplittableRandom random) {
    return new int[] {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
  }

  private static void addNoise(SplittableRandom random, byte[] pixels) {
    for (int i = 0; i < pixels.length; i++) {
      int v = (pixels[i] & 0xff) + random.nextInt(-12, 13);
      pixels[i] = (byte) Math.max(0, Math.min(255, v));
    }
  }
}
