package io.segstream.bench;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the stream benchmark's broker keeps its log. The broker shares this machine's cores with the
 * processor it feeds, which a production cluster does not. On a disk, the kernel writes frames back at
 * 200 MB/s and more: in 128x128 RAW runs the broker then spent most of a core in the kernel, frames
 * queued in the cameras' buffers and p99 from capture read 102-488 ms; with the log in memory the same
 * runs read 28 ms (docs/benchmarks.md, round 8). So by default the log goes to a memory file system
 * when there is one with room, and the result files say where it went.
 */
public final class BrokerLogDir {

  /** The {@code --broker-log-dir} value that picks the place itself. */
  public static final String AUTO = "auto";
  /** Linux's shared-memory file system, present on any glibc system. */
  static final Path SHARED_MEMORY = Path.of("/dev/shm");
  /**
   * Room a memory file system must have free to be chosen: one scenario's frames topic holds its backlog
   * and paced phase until the scenario ends (about 4 GB of 128x128 RAW frames at 50% load), twice over.
   */
  static final long MIN_FREE_BYTES = 8L << 30;
  private static final String MEMORY_FILE_SYSTEM = "tmpfs";

  private BrokerLogDir() {}

  /** {@code option} as a folder: {@link #AUTO} chooses one, anything else is taken as given. */
  public static Path resolve(String option) {
    return AUTO.equals(option) ? choose(SHARED_MEMORY, MIN_FREE_BYTES) : Path.of(option);
  }

  /** {@code memory} when it is a writable memory file system with {@code minFreeBytes} free, else the system's temporary folder. */
  static Path choose(Path memory, long minFreeBytes) {
    try {
      if (Files.isDirectory(memory) && Files.isWritable(memory)) {
        FileStore store = Files.getFileStore(memory);
        if (MEMORY_FILE_SYSTEM.equals(store.type()) && store.getUsableSpace() >= minFreeBytes) {
          return memory;
        }
      }
    } catch (IOException unreadable) {
      // Not usable: fall back to the temporary folder.
    }
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  /** The folder and its file system's type, e.g. "/dev/shm (tmpfs: in memory)", for the result files (no commas: a CSV field). */
  static String describe(Path dir) {
    try {
      String type = Files.getFileStore(dir).type();
      return dir + " (" + type + (MEMORY_FILE_SYSTEM.equals(type) ? ": in memory" : "") + ")";
    } catch (IOException unreadable) {
      return dir.toString();
    }
  }
}
