package io.segstream.cli;

import io.segstream.image.Images;
import io.segstream.image.MaskCodec;
import io.segstream.image.OverlayRenderer;
import io.segstream.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Writes mask overlays as {@code <streamId>-<frameSeq>.png} into a folder. */
final class OverlayFiles {

  private final Path dir;
  private final OverlayRenderer renderer = new OverlayRenderer(0.6);
  /** Each camera's files by frame sequence: what a video of one camera is made of. */
  private final Map<String, SortedMap<Long, Path>> written = new TreeMap<>();

  OverlayFiles(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  /** The mask blended over its frame, or the colourised mask alone when {@code frame} is null. */
  Path write(String streamId, long frameSeq, RgbImage frame, MaskCodec.Mask mask) throws IOException {
    RgbImage image = frame == null ? OverlayRenderer.colourise(mask) : renderer.render(frame, mask);
    Path file = dir.resolve(safe(streamId) + "-" + String.format("%06d", frameSeq) + ".png");
    Files.write(file, Images.png(image));
    written.computeIfAbsent(streamId, id -> new TreeMap<>()).put(frameSeq, file);
    return file;
  }

  /** The files written so far, by camera (stream id) and frame sequence. */
  Map<String, SortedMap<Long, Path>> written() {
    return written;
  }

  /** Stream ids come from producers: keep only characters that are safe in a file name. */
  private static String safe(String streamId) {
    String cleaned = streamId.replaceAll("[^A-Za-z0-9._-]", "_");
    return cleaned.isEmpty() || cleaned.startsWith(".") ? "_" + cleaned : cleaned;
  }
}
