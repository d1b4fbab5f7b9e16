package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.spi.LocalState;

/**
 * In one holding of a lock (an operation: a send reads each member's device list, then the device records again for
 * the pair's epochs and reads), a file is looked at (stat'ed) once while this JVM changes nothing; outside a holding,
 * at every read; and a change by another process between two holdings is seen in the second.
 */
class LooksPerHoldingTest {
  @TempDir Path dir;

  @Test
  void aFileReadAgainInOneHoldingIsNotLookedAtAgain() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    LocalState s = p.state();
    s.saveDeviceRecord("list-a", "one");
    quiet(p.directory().resolve("state/devices/list-a.record")); // read again only when it changed (StampCache)
    s.deviceRecord("list-a");
    try (LocalState.Lock lock = s.lock("conv")) {
      long before = p.trusted().looks();
      for (int i = 0; i < 5; i++) {
        assertThat(s.deviceRecord("list-a")).contains("one");
      }
      assertThat(p.trusted().looks() - before).as("the file and its directory (SeenFiles) once each in the holding")
          .isEqualTo(2);
    }
    long before = p.trusted().looks();
    s.deviceRecord("list-a");
    s.deviceRecord("list-a");
    assertThat(p.trusted().looks() - before).as("no lock held, its directory just changed: every read looks")
        .isEqualTo(2);
  }

  /**
   * A send reads the device records, appends to its feed's outbox log, then reads them again: an append changes no
   * directory and no record, so they are not looked at again (the records' directory was, twice a send).
   */
  @Test
  void anAppendToAnOutboxLogInTheHoldingMakesNoFileLookedAtAgain() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    LocalState s = p.state();
    org.reschat.core.spi.FeedId mine = new org.reschat.core.spi.FeedId("conv", "MINE", 0);
    s.putOutbox(mine, 1, "one"); // the log exists: what follows appends to it
    s.saveDeviceRecord("list-a", "one");
    quiet(p.directory().resolve("state/devices/list-a.record"));
    try (LocalState.Lock lock = s.lock("conv")) {
      assertThat(s.deviceRecord("list-a")).contains("one");
      assertThat(s.deviceRecord("list-a")).contains("one"); // and its directory (SeenFiles)
      assertThat(s.outbox(mine)).containsOnlyKeys(1L); // the log looked at in this holding
      long before = p.trusted().looks();
      s.putOutbox(mine, 2, "two");
      s.confirmOutbox(mine, 1, "one");
      assertThat(s.deviceRecord("list-a")).contains("one");
      assertThat(s.outbox(mine)).containsOnlyKeys(2L);
      assertThat(p.trusted().looks() - before).as("nothing looked at again").isZero();
    }
  }

  @Test
  void aChangeByThisJvmInTheHoldingIsSeenAtOnce() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    LocalState s = p.state();
    LocalState other = Profile.open(dir.resolve("p")).state(); // another object of this JVM on the same profile
    s.saveDeviceRecord("list-a", "one");
    try (LocalState.Lock lock = s.lock("conv")) {
      assertThat(s.deviceRecord("list-a")).contains("one");
      other.saveDeviceRecord("list-a", "two");
      assertThat(s.deviceRecord("list-a")).contains("two");
      assertThat(s.deviceRecord("list-b")).isEmpty();
      other.saveDeviceRecord("list-b", "three");
      assertThat(s.deviceRecord("list-b")).contains("three");
    }
  }

  @Test
  void aChangeByAnotherProcessBetweenTwoHoldingsIsSeenInTheSecond() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    LocalState s = p.state();
    s.saveDeviceRecord("list-a", "one");
    Path record = p.directory().resolve("state/devices/list-a.record");
    try (LocalState.Lock lock = s.lock("conv")) {
      assertThat(s.deviceRecord("list-a")).contains("one");
    }
    replaceAsAnotherProcess(record, "two");
    try (LocalState.Lock lock = s.lock("conv")) {
      assertThat(s.deviceRecord("list-a")).contains("two");
    }
    replaceAsAnotherProcess(record, "three");
    assertThat(s.deviceRecord("list-a")).as("and outside any holding").contains("three");
  }

  private static void quiet(Path file) throws Exception {
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600)));
  }

  /** What another process's write does here: a new file renamed over the old one, nothing this JVM counts. */
  private static void replaceAsAnotherProcess(Path file, String text) throws Exception {
    Path temp = file.resolveSibling(".other.tmp");
    Files.write(temp, text.getBytes(StandardCharsets.UTF_8));
    Files.setPosixFilePermissions(temp, AtomicFiles.PRIVATE_FILE);
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
