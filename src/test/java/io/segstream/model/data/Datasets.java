package io.segstream.model.data;

import io.segstream.image.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes small labeled datasets in the layouts {@link LabeledDataset} reads, for tests. */
public final class Datasets {

  private Datasets() {}

  public static IndexColorModel vocPalette() {
    return VocWriter.vocPalette();
  }

  public static void writePaletteMask(Path file, int width, int height, byte[] classIds) throws IOException {
    VocWriter.writePaletteMask(file, width, height, classIds);
  }

  /** An 8-bit gray PNG whose values are class ids (the plain layout's masks). */
  public static void writeGrayMask(Path file, int width, int height, byte[] classIds) throws IOException {
    BufferedImage mask = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    VocWriter.setSamples(mask.getRaster(), classIds);
    VocWriter.writePng(file, mask);
  }

  /** A VOC-layout dataset whose {@code val} split is {@code images} with {@code masks}; optional labels.txt. */
  public static Path writeVoc(Path root, List<String> ids, List<RgbImage> images, List<byte[]> masks,
      List<String> labels) throws IOException {
    VocWriter voc = new VocWriter(root);
    for (int i = 0; i < ids.size(); i++) {
      voc.write(ids.get(i), images.get(i), masks.get(i));
    }
    voc.writeSplit("val", ids);
    if (labels != null) {
      voc.writeLabels(labels);
    }
    return root;
  }
}
