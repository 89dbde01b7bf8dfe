package io.segstream.model.data;

import io.segstream.image.RgbImage;

/**
 * One dataset image with its ground truth.
 *
 * @param name the file stem, shared by the image and its mask
 * @param image the image's pixels
 * @param truth one class id per pixel, row-major; {@link LabeledDataset#VOID} where nothing is scored
 */
public record LabeledImage(String name, RgbImage image, byte[] truth) {

  public LabeledImage {
    if ((long) image.width() * image.height() != truth.length) {
      throw new IllegalArgumentException(
          name + ": mask has " + truth.length + " pixels, image is " + image.width() + "x" + image.height());
    }
  }
}
