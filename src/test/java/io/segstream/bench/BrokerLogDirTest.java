package io.segstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.segstream.testing.Material;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the bench's broker keeps its log. */
class BrokerLogDirTest {

  private static final Path TEMPORARY = Path.of(System.getProperty("java.io.tmpdir"));

  @TempDir Path tmp;

  @Test
  void aMemoryFileSystemWithRoomIsChosen() throws Exception {
    Material.require(Files.isDirectory(BrokerLogDir.SHARED_MEMORY)
            && "tmpfs".equals(Files.getFileStore(BrokerLogDir.SHARED_MEMORY).type()),
        BrokerLogDir.SHARED_MEMORY + " is not a tmpfs on this machine");
    assertEquals(BrokerLogDir.SHARED_MEMORY, BrokerLogDir.choose(BrokerLogDir.SHARED_MEMORY, 0));
    assertEquals("/dev/shm (tmpfs: in memory)", BrokerLogDir.describe(BrokerLogDir.SHARED_MEMORY));
  }

  @Test
  void withoutRoomTheTemporaryFolderIsChosen() {
    assertEquals(TEMPORARY, BrokerLogDir.choose(BrokerLogDir.SHARED_MEMORY, Long.MAX_VALUE));
  }

  @Test
  void aDiskFolderOrNoFolderIsNotChosen() throws Exception {
    Material.require(!"tmpfs".equals(Files.getFileStore(tmp).type()), "the test's temporary folder is itself a tmpfs");
    assertEquals(TEMPORARY, BrokerLogDir.choose(tmp, 0));
    assertEquals(TEMPORARY, BrokerLogDir.choose(tmp.resolve("absent"), 0));
  }

  @Test
  void aGivenFolderIsTakenAsGiven() {
    assertEquals(Path.of("/var/tmp/kafka"), BrokerLogDir.resolve("/var/tmp/kafka"));
  }

  @Test
  void theDescriptionNamesTheFileSystemWithoutCommas() throws Exception {
    String described = BrokerLogDir.describe(tmp);
    assertEquals(tmp + " (" + Files.getFileStore(tmp).type() + ")", described);
    assertFalse(described.contains(","), described);
  }
}
