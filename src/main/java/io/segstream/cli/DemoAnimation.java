package io.segstream.cli;

import io.segstream.image.Ffmpeg;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** {@code demo}'s overlays assembled into overlays.gif or overlays.mp4 by ffmpeg. */
final class DemoAnimation {

  /** Formats of the overlay animation. */
  enum Format { gif, mp4, none }

  private DemoAnimation() {}

  /** Writes {@code dir/overlays.<format>} from {@code frames} at {@code fps}; one line says what happened. */
  static String write(Ffmpeg ffmpeg, Format format, List<Path> frames, double fps, Path dir) {
    if (frames.size() < 2) {
      return "animation: skipped (fewer than 2 overlays)";
    }
    if (ffmpeg.version().isEmpty()) {
      return "animation: skipped (ffmpeg does not run; apt-get install ffmpeg, or --ffmpeg PATH)";
    }
    Path out = dir.resolve("overlays." + format);
    try {
      ffmpeg.animate(frames, fps, out);
      return "animation:          " + out;
    } catch (IOException e) {
      return "animation: skipped (" + e.getMessage() + ")";
    }
  }
}
