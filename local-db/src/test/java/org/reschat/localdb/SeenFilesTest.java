package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.spi.LocalState;

/**
 * A file only ever replaced by rename (a device record, a page) is not stat'ed again while its directory is quiet and
 * unchanged: one stat of the directory stands for all its files. A rename into it by another process (a new version,
 * a planted link) changes the directory and is seen at once.
 */
class SeenFilesTest {
  @TempDir Path dir;

  @Test
  void filesOfAQuietDirectoryCostOneStatOfItAndAnotherProcessesRenameIsSeenAtOnce() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    LocalState s = p.state();
    Path devices = p.directory().resolve("state/devices");
    s.saveDeviceRecord("list-a", "a");
    s.saveDeviceRecord("list-b", "b");
    quiet(devices.resolve("list-a.record"));
    quiet(devices.resolve("list-b.record"));
    quiet(devices);
    for (int i = 0; i < 2; i++) { // looked at, then the quiet directory's stamp taken
      s.deviceRecord("list-a");
      s.deviceRecord("list-b");
      s.deviceRecord("pairs");
    }
    long before = p.trusted().looks();
    assertThat(s.deviceRecord("list-a")).contains("a");
    assertThat(s.deviceRecord("list-b")).contains("b");
    assertThat(s.deviceRecord("pairs")).isEmpty();
    assertThat(p.trusted().looks() - before).as("three files: a stat of their directory each, none of them").isEqualTo(3);
    try (LocalState.Lock lock = s.lock("conv")) {
      before = p.trusted().looks();
      assertThat(s.deviceRecord("list-a")).contains("a");
      assertThat(s.deviceRecord("list-b")).contains("b");
      assertThat(s.deviceRecord("pairs")).isEmpty();
      assertThat(p.trusted().looks() - before).as("in a holding: the directory once").isEqualTo(1);
    }

    replaceAsAnotherProcess(devices.resolve("list-a.record"), "a2");
    replaceAsAnotherProcess(devices.resolve("pairs.record"), "pairs");
    assertThat(s.deviceRecord("list-a")).contains("a2");
    assertThat(s.deviceRecord("pairs")).contains("pairs");
    assertThat(s.deviceRecord("list-b")).contains("b");
  }

  @Test
  void aLinkRenamedOverAFileOfAQuietDirectoryIsRefused() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    LocalState s = p.state();
    Path devices = p.directory().resolve("state/devices");
    s.saveDeviceRecord("list-a", "a");
    quiet(devices.resolve("list-a.record"));
    quiet(devices);
    s.deviceRecord("list-a");
    s.deviceRecord("list-a");
    Files.writeString(dir.resolve("elsewhere"), "planted");
    Path link = devices.resolve(".link");
    Files.createSymbolicLink(link, dir.resolve("elsewhere"));
    Files.move(link, devices.resolve("list-a.record"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    assertThat(catchThrowable(() -> s.deviceRecord("list-a"))).hasMessageContaining("symbolic link");
  }

  /**
   * A directory's stamp counts only if it had been quiet for a second before it was taken, and in a holding the stat
   * may be one taken when the holding began: the second is counted to then, not to the call. Here the directory
   * changed just before a holding that outlives that second; a change later within the same tick of its time (made
   * here by setting its time back) must still be seen.
   */
  @Test
  void aDirectoryLookedAtEarlyInAHoldingIsNotTakenForQuietLaterInIt() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    LocalState s = p.state();
    Path devices = p.directory().resolve("state/devices");
    s.saveDeviceRecord("list-a", "one");
    quiet(devices.resolve("list-a.record"));
    FileTime changed = null;
    // The case needs the holding's first look within the directory's second; on a machine too loaded for that, the
    // look found it quiet (rightly), so the case is set up again rather than judged on timing.
    for (int attempt = 0; changed == null && attempt < 20; attempt++) {
      FileTime t = FileTime.fromMillis(System.currentTimeMillis() - 100);
      Files.setLastModifiedTime(devices, t);
      try (LocalState.Lock lock = s.lock("conv")) {
        assertThat(s.deviceRecord("list-a")).contains("one");
        assertThat(s.deviceRecord("list-a")).contains("one"); // the directory looked at within its second
        if (System.currentTimeMillis() >= t.toMillis() + 1000) {
          continue;
        }
        while (System.currentTimeMillis() < t.toMillis() + 1100) {
          Thread.sleep(20); // until the directory's second has passed, within the same holding
        }
        assertThat(s.deviceRecord("list-a")).contains("one");
        changed = t;
      }
    }
    assertThat(changed).as("a holding began within the directory's second").isNotNull();
    replaceAsAnotherProcess(devices.resolve("list-a.record"), "two");
    Files.setLastModifiedTime(devices, changed);
    assertThat(s.deviceRecord("list-a")).contains("two");
  }

  /** An outbox log is appended in place, which its directory does not show: it is stat'ed at every look. */
  @Test
  void aFileChangedInPlaceIsStillLookedAtEachTime() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    TrustedFiles trusted = p.trusted();
    Path outbox = p.directory().resolve("state/outbox");
    Files.createDirectories(outbox);
    Path log = outbox.resolve("CONV.MINE.log");
    Files.writeString(log, "one");
    quiet(log);
    quiet(outbox);
    trusted.stamp(log);
    trusted.stamp(log);
    long size = trusted.stamp(log).orElseThrow().size();
    Files.writeString(log, "more", java.nio.file.StandardOpenOption.APPEND);
    assertThat(trusted.stamp(log).orElseThrow().size()).isEqualTo(size + 4);
  }

  private static void quiet(Path path) throws Exception {
    Files.setLastModifiedTime(path, FileTime.from(Instant.now().minusSeconds(3600)));
  }

  /** What another process's write does here: a new file renamed over the old one, nothing this JVM counts. */
  private static void replaceAsAnotherProcess(Path file, String text) throws Exception {
    Path temp = file.resolveSibling(".other.tmp");
    Files.write(temp, text.getBytes(StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(temp, AtomicFiles.PRIVATE_FILE);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
