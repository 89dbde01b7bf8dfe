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

/**
 * Writes a dataset in the Pascal VOC segmentation layout that {@link LabeledDataset} reads:
 * {@code JPEGImages/ID.jpg}, {@code SegmentationClass/ID.png} (palette PNGs: the palette index is the
 * class id, VOC's colour map), {@code ImageSets/Segmentation/SPLIT.txt} and {@code labels.txt}.
 */
public final class VocWriter {

  private static final float JPEG_QUALITY = 0.95f;

  private final Path root;
  private final Path jpegs;
  private final Path classes;
  private final Path sets;

  /** Creates the layout's folders under {@code root}. */
  public VocWriter(Path root) throws IOException {
    this.root = root;
    this.jpegs = Files.createDirectories(root.resolve("JPEGImages"));
    this.classes = Files.createDirectories(root.resolve("SegmentationClass"));
    this.sets = Files.createDirectories(root.resolve("ImageSets").resolve("Segmentation"));
  }

  public Path root() {
    return root;
  }

  /** Writes image {@code id} and its mask of class ids (255: void). */
  public void write(String id, RgbImage image, byte[] classIds) throws IOException {
    Files.write(jpegs.resolve(id + ".jpg"), Images.jpeg(image, JPEG_QUALITY));
    writePaletteMask(classes.resolve(id + ".png"), image.width(), image.height(), classIds);
  }

  /** Writes the ids of {@code split} (e.g. "train", "val"). */
  public void writeSplit(String split, List<String> ids) throws IOException {
    Files.write(sets.resolve(split + ".txt"), ids);
  }

  /** Writes {@code labels.txt}, one label per line in class id order. */
  public void writeLabels(List<String> labels) throws IOException {
    Files.write(root.resolve("labels.txt"), labels);
  }

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
    writePng(file, mask);
  }

  /** Sets band 0 of {@code raster} to {@code classIds} (unsigned). */
  static void setSamples(WritableRaster raster, byte[] classIds) {
    int[] samples = new int[classIds.length];
    for (int i = 0; i < samples.length; i++) {
      samples[i] = classIds[i] & 0xff;
    }
    raster.setSamples(0, 0, raster.getWidth(), raster.getHeight(), 0, samples);
  }

  static void writePng(Path file, BufferedImage image) throws IOException {
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer for " + file);
    }
  }
}
