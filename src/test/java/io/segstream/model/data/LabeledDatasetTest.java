package io.segstream.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledDatasetTest {

  private static final int W = 4;
  private static final int H = 3;
  /** Person (15) on background, one void (255) border pixel, one aeroplane (1) pixel. */
  private static final byte[] VOC_MASK = {0, 0, 15, 15, 0, (byte) 255, 15, 15, 1, 0, 0, 0};

  private static RgbImage image(int width, int height, int shade) {
    byte[] pixels = new byte[width * height * 3];
    java.util.Arrays.fill(pixels, (byte) shade);
    return new RgbImage(width, height, pixels);
  }

  @Test
  void readsPascalVocPalettePngsWithVoid(@TempDir Path dir) throws Exception {
    Path root = Datasets.writeVoc(dir.resolve("voc"), List.of("2007_000032", "2007_000039"),
        List.of(image(W, H, 60), image(W, H, 200)), List.of(VOC_MASK, new byte[W * H]), null);
    Files.write(root.resolve("ImageSets/Segmentation/train.txt"), List.of("2007_000039"));
    // The mask really is a palette PNG: its colours are VOC's, its indices the class ids.
    BufferedImage written = ImageIO.read(root.resolve("SegmentationClass/2007_000032.png").toFile());
    assertInstanceOf(IndexColorModel.class, written.getColorModel());
    assertEquals(0xc0_80_80, written.getRGB(2, 0) & 0xffffff, "person is VOC's (192, 128, 128)");

    LabeledDataset val = LabeledDataset.open(root, "val");
    assertEquals("Pascal VOC", val.layout());
    assertEquals(21, val.labels().size());
    assertEquals("person", val.labels().get(15));
    assertEquals(List.of("2007_000032", "2007_000039"), val.entries().stream().map(LabeledDataset.Entry::name).toList());
    LabeledImage first = val.read(0);
    assertEquals("2007_000032", first.name());
    assertEquals(W, first.image().width());
    assertEquals(H, first.image().height());
    assertArrayEquals(VOC_MASK, first.truth());
    assertEquals(255, first.truth()[5] & 0xff, "void stays 255");
    assertTrue(Math.abs(first.image().channel(1, 1, 0) - 60) <= 3, "the JPEG's pixels");

    LabeledDataset train = LabeledDataset.open(root, "train");
    assertEquals(List.of("2007_000039"), train.entries().stream().map(LabeledDataset.Entry::name).toList());
  }

  @Test
  void vocLabelsFileReplacesTheTwentyOneClasses(@TempDir Path dir) throws Exception {
    Path root = Datasets.writeVoc(dir, List.of("a"), List.of(image(W, H, 9)),
        List.of(new byte[] {0, 1, 1, 0, 0, (byte) 255, 1, 1, 0, 0, 0, 0}), List.of("background", "person"));
    LabeledDataset dataset = LabeledDataset.open(root, "val");
    assertEquals(List.of("background", "person"), dataset.labels());
    assertEquals(1, dataset.read(0).truth()[1]);
  }

  @Test
  void readsThePlainLayoutWithGrayMasksAndOptionalSplit(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("images"));
    Files.createDirectories(dir.resolve("masks"));
    Files.write(dir.resolve("labels.txt"), List.of("background", "road", "car", ""));
    Files.write(dir.resolve("images/b.png"), Images.png(image(W, H, 10)));
    Files.write(dir.resolve("images/a.jpg"), Images.jpeg(image(W, H, 20), 0.95f));
    Files.writeString(dir.resolve("images/notes.txt"), "not an image");
    byte[] maskA = {0, 1, 2, 2, 1, 1, (byte) 255, 0, 0, 0, 0, 2};
    byte[] maskB = {2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1};
    Datasets.writeGrayMask(dir.resolve("masks/a.png"), W, H, maskA);
    Datasets.writeGrayMask(dir.resolve("masks/b.png"), W, H, maskB);

    LabeledDataset all = LabeledDataset.open(dir, "val");
    assertEquals("plain", all.layout());
    assertEquals(List.of("background", "road", "car"), all.labels());
    assertEquals(List.of("a", "b"), all.entries().stream().map(LabeledDataset.Entry::name).toList());
    assertArrayEquals(maskA, all.read(0).truth());
    assertArrayEquals(maskB, all.read(1).truth());
    assertEquals(10, all.read(1).image().channel(0, 0, 1), "the PNG's exact pixels");

    Files.write(dir.resolve("val.txt"), List.of("b"));
    assertEquals(List.of("b"), LabeledDataset.open(dir, "val").entries().stream().map(LabeledDataset.Entry::name).toList());
  }

  @Test
  void refusesAMissingMaskNamingIt(@TempDir Path dir) throws Exception {
    Path root = Datasets.writeVoc(dir, List.of("a", "b"), List.of(image(W, H, 1), image(W, H, 2)),
        List.of(new byte[W * H], new byte[W * H]), null);
    Path mask = root.resolve("SegmentationClass/b.png");
    Files.delete(mask);
    DatasetException e = assertThrows(DatasetException.class, () -> LabeledDataset.open(root, "val"));
    assertTrue(e.getMessage().contains("missing") && e.getMessage().contains(mask.toString()), e.getMessage());
  }

  @Test
  void refusesAPlainImageWithoutMaskNamingIt(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("masks"));
    Files.write(dir.resolve("labels.txt"), List.of("background", "thing"));
    Files.write(Files.createDirectories(dir.resolve("images")).resolve("lonely.png"), Images.png(image(W, H, 1)));
    DatasetException e = assertThrows(DatasetException.class, () -> LabeledDataset.open(dir, "val"));
    assertTrue(e.getMessage().contains(dir.resolve("masks/lonely.png").toString()), e.getMessage());
  }

  @Test
  void refusesAMaskOfAnotherSizeNamingBothFiles(@TempDir Path dir) throws Exception {
    Path root = Datasets.writeVoc(dir, List.of("a"), List.of(image(W, H, 1)), List.of(new byte[W * H]), null);
    Path mask = root.resolve("SegmentationClass/a.png");
    Datasets.writePaletteMask(mask, W + 1, H, new byte[(W + 1) * H]);
    DatasetException e = assertThrows(DatasetException.class, () -> LabeledDataset.open(root, "val").read(0));
    assertTrue(e.getMessage().contains("size mismatch") && e.getMessage().contains(mask.toString())
        && e.getMessage().contains(root.resolve("JPEGImages/a.jpg").toString())
        && e.getMessage().contains("5x3") && e.getMessage().contains("4x3"), e.getMessage());
  }

  @Test
  void refusesAClassIdBeyondTheLabelsNamingTheMask(@TempDir Path dir) throws Exception {
    byte[] mask = new byte[W * H];
    mask[7] = 3; // labels are 0..2; 255 would be void, 3 is an error
    Path root = Datasets.writeVoc(dir, List.of("a"), List.of(image(W, H, 1)), List.of(mask),
        List.of("background", "road", "car"));
    DatasetException e = assertThrows(DatasetException.class, () -> LabeledDataset.open(root, "val").read(0));
    assertTrue(e.getMessage().contains(root.resolve("SegmentationClass/a.png").toString())
        && e.getMessage().contains("class id 3 at (3, 1)") && e.getMessage().contains("3 labels"), e.getMessage());
  }

  @Test
  void refusesAnUnreadableImageNamingIt(@TempDir Path dir) throws Exception {
    Path root = Datasets.writeVoc(dir, List.of("a"), List.of(image(W, H, 1)), List.of(new byte[W * H]), null);
    Path image = root.resolve("JPEGImages/a.jpg");
    Files.writeString(image, "this is not a JPEG");
    DatasetException e = assertThrows(DatasetException.class, () -> LabeledDataset.open(root, "val").read(0));
    assertTrue(e.getMessage().contains("unreadable") && e.getMessage().contains(image.toString()), e.getMessage());
  }

  @Test
  void refusesAnRgbMaskNamingIt(@TempDir Path dir) throws Exception {
    Path root = Datasets.writeVoc(dir, List.of("a"), List.of(image(W, H, 1)), List.of(new byte[W * H]), null);
    Path mask = root.resolve("SegmentationClass/a.png");
    Files.write(mask, Images.png(image(W, H, 128)));
    DatasetException e = assertThrows(DatasetException.class, () -> LabeledDataset.open(root, "val").read(0));
    assertTrue(e.getMessage().contains(mask.toString()) && e.getMessage().contains("palette"), e.getMessage());
  }

  @Test
  void refusesADirectoryInNeitherLayout(@TempDir Path dir) {
    DatasetException e = assertThrows(DatasetException.class, () -> LabeledDataset.open(dir, "val"));
    assertTrue(e.getMessage().contains("JPEGImages") && e.getMessage().contains("images/"), e.getMessage());
  }
}
