package io.segstream.model.data;

import io.segstream.image.Images;
import io.segstream.image.RgbImage;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Labeled images in a layout users already have, read one at a time.
 *
 * <ul>
 *   <li><b>Pascal VOC</b>: {@code JPEGImages/ID.jpg}, {@code SegmentationClass/ID.png} (palette PNGs
 *       whose palette index is the class id, 255 = void), {@code ImageSets/Segmentation/SPLIT.txt}
 *       listing the ids. Labels: VOC's 21 classes, or {@code labels.txt} in the root when present.
 *   <li><b>Plain</b>: {@code images/STEM.(png|jpg|jpeg)}, {@code masks/STEM.png} (8-bit gray or palette
 *       PNG of class ids, 255 = void) and {@code labels.txt}, one label per line in class id order.
 *       An optional {@code SPLIT.txt} in the root lists the stems of a split; without it every image
 *       is in every split.
 * </ul>
 *
 * <p>Missing masks and images are found when the dataset is opened; unreadable files, size mismatches
 * and class ids beyond the labels when an image is {@link #read}. Each error names the file.
 */
public final class LabeledDataset {

  /** Mask value of pixels that belong to no class and are not scored (VOC's object borders). */
  public static final int VOID = 255;

  public static final List<String> VOC_LABELS = List.of(
      "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
      "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
      "train", "tvmonitor");

  private static final String LABELS_FILE = "labels.txt";
  private static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg");
  /** How many missing files an error lists before summarising the rest. */
  private static final int LISTED = 5;

  /** Where one labeled image's files are. */
  public record Entry(String name, Path image, Path mask) {}

  private final Path root;
  private final String layout;
  private final List<String> labels;
  private final List<Entry> entries;

  private LabeledDataset(Path root, String layout, List<String> labels, List<Entry> entries) {
    this.root = root;
    this.layout = layout;
    this.labels = List.copyOf(labels);
    this.entries = List.copyOf(entries);
  }

  /** Opens the {@code split} of the dataset in {@code root}, recognising its layout. */
  public static LabeledDataset open(Path root, String split) throws IOException {
    if (Files.isDirectory(root.resolve("JPEGImages")) && Files.isDirectory(root.resolve("SegmentationClass"))) {
      return openVoc(root, split);
    }
    if (Files.isDirectory(root.resolve("images")) && Files.isDirectory(root.resolve("masks"))) {
      return openPlain(root, split);
    }
    throw new DatasetException(root + " is not a labeled dataset: expected JPEGImages/ and SegmentationClass/"
        + " (Pascal VOC) or images/ and masks/ (plain layout)");
  }

  /**
   * Whether the dataset in {@code root} lists a {@code split} of its own (VOC's ImageSets file, or the
   * plain layout's SPLIT.txt; without one a plain dataset's every split is all its images).
   */
  public static boolean hasSplit(Path root, String split) {
    return Files.isRegularFile(root.resolve("ImageSets").resolve("Segmentation").resolve(split + ".txt"))
        || Files.isRegularFile(root.resolve(split + ".txt"));
  }

  private static LabeledDataset openVoc(Path root, String split) throws IOException {
    Path splitFile = root.resolve("ImageSets").resolve("Segmentation").resolve(split + ".txt");
    if (!Files.isRegularFile(splitFile)) {
      throw new DatasetException("no split file " + splitFile);
    }
    List<String> labels = Files.isRegularFile(root.resolve(LABELS_FILE)) ? readLabels(root.resolve(LABELS_FILE)) : VOC_LABELS;
    List<Entry> entries = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String id : readLines(splitFile)) {
      Path image = root.resolve("JPEGImages").resolve(id + ".jpg");
      Path mask = root.resolve("SegmentationClass").resolve(id + ".png");
      for (Path file : List.of(image, mask)) {
        if (!Files.isRegularFile(file)) {
          missing.add(file.toString());
        }
      }
      entries.add(new Entry(id, image, mask));
    }
    return checked(root, "Pascal VOC", labels, entries, missing, splitFile);
  }

  private static LabeledDataset openPlain(Path root, String split) throws IOException {
    Path labelsFile = root.resolve(LABELS_FILE);
    if (!Files.isRegularFile(labelsFile)) {
      throw new DatasetException("no labels file " + labelsFile + " (one class label per line, class id 0 first)");
    }
    List<String> labels = readLabels(labelsFile);
    List<String> stems = new ArrayList<>();
    try (Stream<Path> files = Files.list(root.resolve("images"))) {
      files.map(Path::getFileName).map(Path::toString).sorted().forEach(file -> stem(file).ifPresent(stems::add));
    }
    Path splitFile = root.resolve(split + ".txt");
    List<String> chosen = Files.isRegularFile(splitFile) ? readLines(splitFile) : stems;
    List<Entry> entries = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String name : chosen) {
      Path image = imageFile(root.resolve("images"), name);
      Path mask = root.resolve("masks").resolve(name + ".png");
      if (!Files.isRegularFile(image)) {
        missing.add(image.toString());
      }
      if (!Files.isRegularFile(mask)) {
        missing.add(mask.toString());
      }
      entries.add(new Entry(name, image, mask));
    }
    return checked(root, "plain", labels, entries, missing, root.resolve("images"));
  }

  private static LabeledDataset checked(
      Path root, String layout, List<String> labels, List<Entry> entries, List<String> missing, Path listing)
      throws DatasetException {
    if (!missing.isEmpty()) {
      String listed = String.join(", ", missing.subList(0, Math.min(LISTED, missing.size())));
      String more = missing.size() > LISTED ? " and " + (missing.size() - LISTED) + " more" : "";
      throw new DatasetException("missing files: " + listed + more);
    }
    if (entries.isEmpty()) {
      throw new DatasetException("no images listed in " + listing);
    }
    return new LabeledDataset(root, layout, labels, entries);
  }

  private static Optional<String> stem(String fileName) {
    String lower = fileName.toLowerCase(java.util.Locale.ROOT);
    return IMAGE_EXTENSIONS.stream().filter(lower::endsWith).findFirst()
        .map(ext -> fileName.substring(0, fileName.length() - ext.length()));
  }

  private static Path imageFile(Path dir, String name) {
    for (String ext : IMAGE_EXTENSIONS) {
      Path file = dir.resolve(name + ext);
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    return dir.resolve(name + IMAGE_EXTENSIONS.get(0));
  }

  private static List<String> readLines(Path file) throws IOException {
    return Files.readAllLines(file).stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }

  private static List<String> readLabels(Path file) throws IOException {
    List<String> labels = readLines(file);
    if (labels.isEmpty() || labels.size() > VOID) {
      throw new DatasetException(file + " must list 1.." + VOID + " labels, has " + labels.size());
    }
    return labels;
  }

  public Path root() {
    return root;
  }

  /** "Pascal VOC" or "plain". */
  public String layout() {
    return layout;
  }

  /** Class labels in class id order. */
  public List<String> labels() {
    return labels;
  }

  public List<Entry> entries() {
    return entries;
  }

  public int size() {
    return entries.size();
  }

  /** Reads and checks the {@code index}th image and its mask. */
  public LabeledImage read(int index) throws DatasetException {
    Entry entry = entries.get(index);
    RgbImage image = Images.toRgb(readImage(entry.image()));
    BufferedImage mask = readImage(entry.mask());
    if (mask.getWidth() != image.width() || mask.getHeight() != image.height()) {
      throw new DatasetException(String.format("size mismatch: %s is %dx%d but its image %s is %dx%d",
          entry.mask(), mask.getWidth(), mask.getHeight(), entry.image(), image.width(), image.height()));
    }
    return new LabeledImage(entry.name(), image, classIds(entry.mask(), mask));
  }

  private static BufferedImage readImage(Path file) throws DatasetException {
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new DatasetException("unreadable image " + file + ": " + e.getMessage(), e);
    }
    if (image == null) {
      throw new DatasetException("unreadable image " + file + ": not a PNG or JPEG");
    }
    return image;
  }

  /** The mask's samples as class ids: palette indices of a palette PNG, values of a gray one. */
  private byte[] classIds(Path file, BufferedImage mask) throws DatasetException {
    boolean palette = mask.getColorModel() instanceof IndexColorModel;
    boolean gray = mask.getRaster().getNumBands() == 1 && mask.getSampleModel().getSampleSize(0) <= 8;
    if (!palette && !gray) {
      throw new DatasetException("mask " + file + " has " + mask.getRaster().getNumBands()
          + " channels; expected a palette or 8-bit gray PNG of class ids");
    }
    Raster raster = mask.getRaster();
    int width = mask.getWidth();
    int height = mask.getHeight();
    int[] samples = raster.getSamples(0, 0, width, height, 0, (int[]) null);
    byte[] ids = new byte[samples.length];
    for (int i = 0; i < samples.length; i++) {
      int id = samples[i];
      if (id >= labels.size() && id != VOID) {
        throw new DatasetException(String.format(
            "mask %s: class id %d at (%d, %d) is beyond the %d labels (%s); 255 marks void pixels",
            file, id, i % width, i / width, labels.size(), String.join(",", labels)));
      }
      ids[i] = (byte) id;
    }
    return ids;
  }
}
