package io.segstream.image;

import io.segstream.contracts.ImageEncoding;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Format and size of an encoded image, read from its header only. */
public record ImageProbe(ImageEncoding encoding, int width, int height) {

  /**
   * Probes JPEG or PNG bytes.
   *
   * @throws IOException when the bytes are neither, or their header is unreadable
   */
  public static ImageProbe probe(byte[] data) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(data))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new IOException("not a JPEG or PNG image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        String format = reader.getFormatName().toLowerCase(Locale.ROOT);
        ImageEncoding encoding =
            switch (format) {
              case "jpeg", "jpg" -> ImageEncoding.JPEG;
              case "png" -> ImageEncoding.PNG;
              default -> throw new IOException(format + " images are not supported; use JPEG or PNG");
            };
        return new ImageProbe(encoding, reader.getWidth(0), reader.getHeight(0));
      } finally {
        reader.dispose();
      }
    }
  }
}
