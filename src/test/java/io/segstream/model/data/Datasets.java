package io.segstream.model.data;

import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Writes small labeled datasets in the layouts {@link LabeledDataset} reads, for tests. */
public final class Datasets {

  private Datasets() {}

  /** Pascal VOC's colour map: class c gets the colour whose bits are c's, spread over R, G and B. */
  public static IndexColorModel vocPalette() {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int c = 0; c < 256; c++) {
      int id = c;
      for (int bit = 7; bit >= 0; bit--) {
        r[c] |= (byte) (((id >> 0) & 1) << bit);
        g[c] |= (byte) (((id >> 1) & 1) << bit);
        b[c] |= (byte) (((id >> 2) & 1) << bit);
        id >>= 3;
      }
    }
    return new IndexColorModel(8, 256, r, g, b);
  }

  /** A palette PNG (what VOC's SegmentationClass holds): the palette index of each pixel is its class id. */
  public static void writePaletteMask(Path file, int width, int height, byte[] classIds) throws IOException {
    BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, vocPalette());
    setSamples(mask.getRaster(), classIds);
    write(file, mask);
  }

  /** An 8-bit gray PNG whose values are class ids (the plain layout's masks). */
  public static void writeGrayMask(Path file, int width, int height, byte[] classIds) throws IOException {
    BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    setSamples(mask.getRaster(), classIds);
    write(file, mask);
  }

  /** A VOC-layout dataset whose {@code val} split is {@code images} with {@code masks}; optional labels.txt. */
  public static Path writeVoc(Path root, List<String> ids, List<RgbImage> images, List<byte[]> masks,
      List<String> labels) throws IOException {
    Path jpegs = Files.createDirectories(root.resolve("JPEGImages"));
    Path classes = Files.createDirectories(root.resolve("SegmentationClass"));
    Path sets = Files.createDirectories(root.resolve("ImageSets/Segmentation"));
    for (int i = 0; i < ids.size(); i++) {
      RgbImage image = images.get(i);
      Files.write(jpegs.resolve(ids.get(i) + ".jpg"), Images.jpeg(image, 0.95f));
      writePaletteMask(classes.resolve(ids.get(i) + ".png"), image.width(), image.height(), masks.get(i));
    }
    Files.write(sets.resolve("val.txt"), ids);
    if (labels != null) {
      Files.write(root.resolve("labels.txt"), labels);
    }
    return root;
  }

  private static void setSamples(WritableRaster raster, byte[] classIds) {
    int[] samples = new int[classIds.length];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = classIds[i] & 0xff;
    }
    raster.setSamples(0, 0, raster.getWidth(), raster.getHeight(), 0, samples);
  }

  private static void write(Path file, BufferedImage image) throws IOException {
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer for " + file);
    }
  }
}
