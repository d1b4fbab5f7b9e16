package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.kv.EndpointHealthMemory;

/**
 * The profile's memory of failing store endpoints: shared by the commands of one profile through a small
 * file that any content, however corrupt or hostile, can only make forget.
 */
class EndpointHealthFileTest {
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private static final HttpUrl A = HttpUrl.get("http://127.0.0.1:18000");
  private static final HttpUrl B = HttpUrl.get("http://10.0.0.2:18000/base/");

  @TempDir Path dir;

  private Path file() {
    return dir.resolve("state").resolve("endpoint-health");
  }

  private EndpointHealthFile memory() {
    return new EndpointHealthFile(file(), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void aFailureIsSeenByTheNextReaderUntilASuccessClearsIt() throws IOException {
    memory().recordFailure(A, NOW.plusSeconds(30));
    memory().recordFailure(B, NOW.plusSeconds(40));
    assertThat(memory().suspects()).containsEntry(A, NOW.plusSeconds(30)).containsEntry(B, NOW.plusSeconds(40)).hasSize(2);
    memory().recordSuccess(A);
    assertThat(memory().suspects()).containsOnlyKeys(B);
    if (file().getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file()))).isEqualTo("rw-------");
    }
  }

  @Test
  void aSuccessOfAnEndpointNotRememberedWritesNothing() {
    memory().recordSuccess(A);
    assertThat(file()).doesNotExist();
  }

  @Test
  void expiredEntriesAreNotSuspectsAndAreDroppedOnTheNextWrite() throws IOException {
    write("2026-01-02T03:04:00Z " + A + "\n");
    assertThat(memory().suspects()).isEmpty();
    memory().recordFailure(B, NOW.plusSeconds(30));
    assertThat(Files.readString(file())).doesNotContain(A.toString());
  }

  @Test
  void aFarFutureEntryIsCutToTheRememberedWindowWhenTheFileIsWritten() throws IOException {
    write("9999-12-31T23:59:59Z " + A + "\n");
    memory().recordFailure(B, NOW.plusSeconds(3600 * 24));
    assertThat(memory().suspects()).containsEntry(A, NOW.plus(EndpointHealthMemory.REMEMBERED_FOR))
        .containsEntry(B, NOW.plus(EndpointHealthMemory.REMEMBERED_FOR));
  }

  @Test
  void corruptLinesAreIgnoredAndGoodOnesKept() throws IOException {
    write("# a comment\n\ngarbage\n2026-13-45T99:99:99Z " + A + "\n2026-01-02T03:05:00Z not-a-url\n"
        + "2026-01-02T03:05:00Z " + B + " extra\n\0\0\0\uFFFF\n2026-01-02T03:05:00Z " + B + "\n");
    assertThat(memory().suspects()).containsOnly(java.util.Map.entry(B, Instant.parse("2026-01-02T03:05:00Z")));
  }

  @Test
  void anOversizedFileIsIgnoredWithoutReadingIt() throws IOException {
    StringBuilder huge = new StringBuilder();
    String line = "2026-01-02T03:05:00Z " + A + "\n";
    while (huge.length() <= EndpointHealthFile.MAX_FILE_BYTES) {
      huge.append(line);
    }
    write(huge.toString());
    assertThat(memory().suspects()).isEmpty();
    memory().recordFailure(B, NOW.plusSeconds(30)); // and it is replaced by a small one
    assertThat(memory().suspects()).containsOnlyKeys(B);
    assertThat(Files.size(file())).isLessThan(1024);
  }

  @Test
  void binaryJunkADirectoryOrAPipeInItsPlaceIsAnEmptyMemoryAndNeverAnError() throws Exception {
    byte[] junk = new byte[4096];
    new java.util.Random(1).nextBytes(junk);
    Files.createDirectories(file().getParent());
    Files.write(file(), junk);
    assertThat(memory().suspects()).isEmpty();

    Files.delete(file());
    Files.createDirectory(file());
    assertThat(memory().suspects()).isEmpty();
    memory().recordFailure(A, NOW.plusSeconds(30)); // cannot replace a directory: forgotten, no exception
    assertThat(memory().suspects()).isEmpty();

    Files.delete(file());
    Path fifo = file();
    if (mkfifo(fifo)) {
      assertThat(memory().suspects()).as("a named pipe is not opened: reading it would block").isEmpty();
    }
  }

  @Test
  void manyEntriesAreCappedSoTheFileStaysSmall() {
    EndpointHealthFile memory = memory();
    for (int port = 1; port <= EndpointHealthFile.MAX_ENTRIES + 20; port++) {
      memory.recordFailure(HttpUrl.get("http://127.0.0.1:" + port), NOW.plusSeconds(30));
    }
    assertThat(memory().suspects()).hasSize(EndpointHealthFile.MAX_ENTRIES)
        .containsKey(HttpUrl.get("http://127.0.0.1:" + (EndpointHealthFile.MAX_ENTRIES + 20)));
  }

  /** Makes a named pipe where the system has mkfifo; false where it does not. */
  private static boolean mkfifo(Path path) throws InterruptedException {
    try {
      return new ProcessBuilder("mkfifo", path.toString()).start().waitFor() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private void write(String text) throws IOException {
    Files.createDirectories(file().getParent());
    Files.write(file(), text.getBytes(StandardCharsets.UTF_8));
  }
}
