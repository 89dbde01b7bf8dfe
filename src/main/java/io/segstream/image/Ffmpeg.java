package io.segstream.image;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * ffmpeg as a subprocess: decodes any video it knows into a stream of JPEG frames (the same stream
 * {@code ffmpeg -f image2pipe -c:v mjpeg -} gives {@code segstream produce --stdin}), and assembles PNG
 * frames into an animated GIF or an MP4. Java's ImageIO reads neither video containers nor codecs.
 */
public final class Ffmpeg {

  /** How much of ffmpeg's error output is kept for the message when it fails. */
  private static final int STDERR_TAIL_BYTES = 4096;

  private final String executable;

  /** {@code executable}: a path, or a name looked up on the PATH ("ffmpeg"). */
  public Ffmpeg(String executable) {
    this.executable = executable;
  }

  /** The first line of {@code ffmpeg -version}, or empty when it cannot be run. */
  public Optional<String> version() {
    try {
      String out = runForOutput(List.of(executable, "-hide_banner", "-version"));
      return Optional.of(out.lines().findFirst().orElse("ffmpeg"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Whether this ffmpeg build has the named encoder (e.g. "libx264"). */
  public boolean hasEncoder(String encoder) {
    try {
      return runForOutput(List.of(executable, "-hide_banner", "-encoders")).lines()
          .map(String::trim)
          .anyMatch(line -> line.split("\\s+").length > 1 && line.split("\\s+")[1].equals(encoder));
    } catch (IOException e) {
      return false;
    }
  }

  /** What to take from a video. */
  public record DecodeOptions(double fps, int width, String filters, int maxFrames, int jpegQuality) {

    /**
     * {@code fps}: frames per second to sample (0: every frame); {@code width}: scale to this width,
     * keeping the aspect ratio (0: as is); {@code filters}: ffmpeg filters applied first, on the
     * source pixels (e.g. {@code crop=384:288:0:288}), or null; {@code maxFrames}: stop after this
     * many (0: all); {@code jpegQuality}: ffmpeg's mjpeg {@code -q:v}, 2 (best) to 31.
     */
    public DecodeOptions {
      if (fps < 0 || width < 0 || maxFrames < 0 || jpegQuality < 2 || jpegQuality > 31) {
        throw new IllegalArgumentException("need fps >= 0, width >= 0, maxFrames >= 0, jpegQuality 2..31");
      }
    }

    /** The -vf filter chain, or null when there is nothing to filter. */
    String filterChain() {
      List<String> chain = new ArrayList<>();
      if (filters != null && !filters.isBlank()) {
        chain.add(filters.strip());
      }
      if (fps > 0) {
        chain.add("fps=" + String.format(Locale.ROOT, "%s", fps));
      }
      if (width > 0) {
        // -2: the height that keeps the aspect ratio, rounded to even (the JPEG encoder's chroma).
        chain.add("scale=" + width + ":-2");
      }
      return chain.isEmpty() ? null : String.join(",", chain);
    }
  }

  /** The ffmpeg command line that decodes {@code video} to JPEGs on its standard output. */
  public List<String> decodeCommand(Path video, DecodeOptions options) {
    List<String> command = new ArrayList<>(List.of(
        executable, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", video.toString(), "-an"));
    String chain = options.filterChain();
    if (chain != null) {
      command.addAll(List.of("-vf", chain));
    }
    if (options.maxFrames() > 0) {
      command.addAll(List.of("-frames:v", Integer.toString(options.maxFrames())));
    }
    // mjpeg wants full-range YUV; yuvj420p is what it picks anyway, named to keep ffmpeg quiet.
    command.addAll(List.of("-pix_fmt", "yuvj420p", "-f", "image2pipe", "-c:v", "mjpeg",
        "-q:v", Integer.toString(options.jpegQuality()), "-"));
    return command;
  }

  /** Starts decoding {@code video}; read the frames with {@link Decoding#next()}. */
  public Decoding decode(Path video, DecodeOptions options, int maxImageBytes) throws IOException {
    if (!Files.isReadable(video)) {
      throw new IOException("cannot read video " + video);
    }
    return new Decoding(start(decodeCommand(video, options)), maxImageBytes);
  }

  /** A running decode: JPEG frames in order, then the end, or ffmpeg's error. */
  public static final class Decoding implements AutoCloseable {
    private final Process process;
    private final StderrTail stderr;
    private final JpegStreamReader reader;
    private int frames;

    private Decoding(Process process, int maxImageBytes) {
      this.process = process;
      this.stderr = new StderrTail(process.getErrorStream());
      this.reader = new JpegStreamReader(process.getInputStream(), maxImageBytes);
    }

    /**
     * The next frame as JPEG bytes, or null once the video is done.
     *
     * @throws IOException when ffmpeg fails (with its message) or writes something that is not JPEG
     */
    public byte[] next() throws IOException {
      byte[] jpeg;
      try {
        jpeg = reader.next();
      } catch (IOException e) {
        throw new IOException(failure("ffmpeg's output broke off: " + e.getMessage()), e);
      }
      if (jpeg != null) {
        frames++;
        return jpeg;
      }
      int exit = waitFor(process);
      if (exit != 0) {
        throw new IOException(failure("ffmpeg exited with status " + exit));
      }
      if (frames == 0) {
        throw new IOException(failure("ffmpeg decoded no frames"));
      }
      return null;
    }

    private String failure(String what) {
      String message = stderr.text().strip();
      return message.isEmpty() ? what : what + ": " + message;
    }

    @Override
    public void close() throws IOException {
      if (process.isAlive()) {
        process.destroy();
      }
      waitFor(process);
      reader.close();
    }
  }

  /**
   * Assembles PNG files, in the given order, into an animation at {@code fps}: an animated GIF
   * (with a palette made for these frames) when {@code out} ends in .gif, otherwise a video whose
   * format ffmpeg takes from the name (.mp4: H.264 when this ffmpeg has libx264).
   */
  public void animate(List<Path> pngs, double fps, Path out) throws IOException {
    if (pngs.isEmpty()) {
      throw new IOException("no frames to animate");
    }
    String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
    List<String> command = new ArrayList<>(List.of(executable, "-y", "-hide_banner", "-loglevel", "error",
        "-f", "image2pipe", "-c:v", "png", "-framerate", String.format(Locale.ROOT, "%s", fps), "-i", "-"));
    if (name.endsWith(".gif")) {
      command.addAll(List.of("-filter_complex", "split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse"));
    } else if (name.endsWith(".mp4")) {
      // Even sizes for 4:2:0 chroma; yuv420p so ordinary players can show it.
      command.addAll(List.of("-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-pix_fmt", "yuv420p"));
      if (hasEncoder("libx264")) {
        command.addAll(List.of("-c:v", "libx264", "-crf", "23"));
      }
    }
    command.add(out.toString());
    Process process = start(command);
    StderrTail stderr = new StderrTail(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      for (Path png : pngs) {
        Files.copy(png, in);
      }
    } catch (IOException e) {
      // ffmpeg stopped reading: its exit status and message say why.
    }
    int exit = waitFor(process);
    if (exit != 0 || !Files.isRegularFile(out)) {
      throw new IOException("ffmpeg could not write " + out + " (status " + exit + "): " + stderr.text().strip());
    }
  }

  private Process start(List<String> command) throws IOException {
    try {
      return new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new IOException("cannot run " + executable + " (is ffmpeg installed? apt-get install ffmpeg): "
          + e.getMessage(), e);
    }
  }

  private String runForOutput(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    if (waitFor(process) != 0) {
      throw new IOException(String.join(" ", command) + " failed");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private static int waitFor(Process process) throws IOException {
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for ffmpeg", e);
    }
  }

  /** Drains a process's error output on a daemon thread, keeping its last bytes for messages. */
  private static final class StderrTail {
    private final ByteArrayOutputStream tail = new ByteArrayOutputStream();
    private final Thread drainer;

    StderrTail(InputStream stderr) {
      drainer = new Thread(() -> {
        byte[] buffer = new byte[1024];
        try (stderr) {
          for (int n = stderr.read(buffer); n >= 0; n = stderr.read(buffer)) {
            synchronized (tail) {
              tail.write(buffer, 0, n);
              if (tail.size() > 2 * STDERR_TAIL_BYTES) {
                byte[] all = tail.toByteArray();
                tail.reset();
                tail.write(all, all.length - STDERR_TAIL_BYTES, STDERR_TAIL_BYTES);
              }
            }
          }
        } catch (IOException e) {
          // The process is gone (destroyed): nothing more to read.
        }
      }, "ffmpeg-stderr");
      drainer.setDaemon(true);
      drainer.start();
    }

    String text() {
      try {
        drainer.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (tail) {
        byte[] all = tail.toByteArray();
        int from = Math.max(0, all.length - STDERR_TAIL_BYTES);
        return new String(all, from, all.length - from, StandardCharsets.UTF_8);
      }
    }
  }
}
