package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.spi.LocalState;

/**
 * A lock file stays open between holdings (a holding is then the OS lock and its release, not an open, a mode check
 * and a close too), and is still the lock other processes take: one removed or replaced meanwhile is opened anew.
 */
class FileLocksTest {
  @TempDir Path dir;

  @Test
  void aLockFileIsOpenedOnceForManyHoldings() throws Exception {
    Path file = dir.resolve("locks/a.lock");
    long before = FileLocks.opens();
    for (int i = 0; i < 10; i++) {
      try (LocalState.Lock lock = FileLocks.acquire(file, "a")) {
        assertThat(FileLocks.holding(file)).isPositive();
      }
    }
    assertThat(FileLocks.opens() - before).as("opened for the first holding only").isEqualTo(1);
  }

  @Test
  void whileHeldAnotherProcessCannotTakeItAndOnceLetGoItCan() throws Exception {
    Path file = dir.resolve("locks/a.lock");
    try (LocalState.Lock lock = FileLocks.acquire(file, "a")) {
      assertThat(probe(file)).as("held: another process is refused").isEqualTo(3);
    }
    assertThat(probe(file)).as("let go, though still open here: another process takes it").isZero();
  }

  /** Someone removes the lock file between two holdings: the next one locks the file other processes now open. */
  @Test
  void aLockFileRemovedOrReplacedBetweenHoldingsIsOpenedAnew() throws Exception {
    Path file = dir.resolve("locks/a.lock");
    try (LocalState.Lock lock = FileLocks.acquire(file, "a")) {
      assertThat(probe(file)).isEqualTo(3);
    }
    Files.delete(file);
    long before = FileLocks.opens();
    try (LocalState.Lock lock = FileLocks.acquire(file, "a")) {
      assertThat(FileLocks.opens() - before).isEqualTo(1);
      assertThat(probe(file)).as("the file other processes open now is the one locked").isEqualTo(3);
    }
    Path other = dir.resolve("other.lock");
    Files.writeString(other, "");
    Files.move(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    try (LocalState.Lock lock = FileLocks.acquire(file, "a")) {
      assertThat(probe(file)).as("replaced by rename: the new file is locked").isEqualTo(3);
    }
  }

  /** A lock's generation is the same in each holding until a holder, in this process or another, moves it. */
  @Test
  void theGenerationStaysAcrossHoldingsUntilAHolderMovesIt() throws Exception {
    Path file = dir.resolve("locks/a.lock").toAbsolutePath().normalize();
    long first;
    try (LocalState.Lock lock = FileLocks.acquire(file, "a")) {
      first = FileLocks.generation(file);
      assertThat(first).isPositive();
    }
    long second;
    try (LocalState.Lock lock = FileLocks.acquire(file, "a")) {
      assertThat(FileLocks.generation(file)).isEqualTo(first);
      FileLocks.nextGeneration(file);
      second = FileLocks.generation(file);
      assertThat(second).as("moved at once in the holding").isNotEqualTo(first);
    }
    try (LocalState.Lock lock = FileLocks.acquire(file, "a")) {
      assertThat(FileLocks.generation(file)).isEqualTo(second);
    }
    Files.write(file, new byte[] {'\n'}, java.nio.file.StandardOpenOption.APPEND); // what another process's move writes
    try (LocalState.Lock lock = FileLocks.acquire(file, "a")) {
      assertThat(FileLocks.generation(file)).as("moved by another process").isNotIn(first, second);
    }
    assertThat(FileLocks.generation(file)).as("not held").isZero();
  }

  @Test
  void atMostAFewLockFilesStayOpen() throws Exception {
    for (int i = 0; i < FileLocks.KEPT_OPEN + 10; i++) {
      try (LocalState.Lock lock = FileLocks.acquire(dir.resolve("locks/" + i + ".lock"), "lock " + i)) {
        assertThat(FileLocks.keptOpen()).isLessThanOrEqualTo(FileLocks.KEPT_OPEN + 1);
      }
      assertThat(FileLocks.keptOpen()).isLessThanOrEqualTo(FileLocks.KEPT_OPEN);
    }
    assertThat(probe(dir.resolve("locks/0.lock"))).as("one closed is free for others").isZero();
    try (LocalState.Lock lock = FileLocks.acquire(dir.resolve("locks/0.lock"), "lock 0")) {
      assertThat(probe(dir.resolve("locks/0.lock"))).as("and locked again when taken again").isEqualTo(3);
    }
  }

  private int probe(Path file) throws Exception {
    Process p = ChildJvm.start(dir.resolve("probe.log"), LockProbeProcess.class, file.toString());
    try {
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      return p.exitValue();
    } finally {
      p.destroyForcibly();
    }
  }
}
