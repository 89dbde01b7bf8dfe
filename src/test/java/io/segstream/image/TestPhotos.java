package io.segstream.image;

import io.segstream.testing.Material;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The real photos and video of Debian's opencv-doc package (messi5.jpg, basketball1.png, vtest.avi,
 * ...), which {@code scripts/fetch-test-photos.sh} installs; {@code -Dsegstream.photos.dir} points
 * elsewhere.
 */
public final class TestPhotos {

  public static final Path DIR = Paths.get(
      System.getProperty("segstream.photos.dir", "/usr/share/doc/opencv-doc/examples/data"));

  private TestPhotos() {}

  /** The file's bytes; missing, the test skips or (under CI) fails with the reason: {@link Material}. */
  public static byte[] read(String name) throws IOException {
    Path file = DIR.resolve(name);
    Material.require(Files.isRegularFile(file), file + " missing: run scripts/fetch-test-photos.sh");
    return Files.readAllBytes(file);
  }
}
