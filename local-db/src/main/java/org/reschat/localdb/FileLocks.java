package org.reschat.localdb;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.reschat.core.LocalStateException;
import org.reschat.core.spi.LocalState;

/**
 * Exclusive locks on lock files, across threads of this JVM (a {@link ReentrantLock} per file) and
 * across processes (an OS file lock). Waits up to {@link #WAIT} for another holder before giving up
 * with a clear message.
 */
final class FileLocks {
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final Map<Path, Held> IN_PROCESS = new ConcurrentHashMap<>();
  private static final java.util.concurrent.atomic.AtomicLong HOLDINGS = new java.util.concurrent.atomic.AtomicLong();

  /** One lock file's lock in this JVM, and which holding of it is under way (0: none). */
  @SuppressWarnings("serial")
  private static final class Held extends ReentrantLock {
    volatile long holding;
  }

  private FileLocks() {}

  /**
   * Which holding of {@code lockFile}'s lock this thread is in: a number new each time a thread of this JVM first
   * takes it, the same while it holds it, re-entered or not; 0 when this thread does not
   * hold it. While it is the same, no other thread or process holds the lock, so nothing written under the lock
   * changed but through this JVM.
   *
   * @param lockFile absolute and normalised, as {@link #acquire} makes it (not made so here: this is asked often)
   */
  static long holding(Path lockFile) {
    Held local = IN_PROCESS.get(lockFile);
    return local != null && local.isHeldByCurrentThread() ? local.holding : 0;
  }

  static LocalState.Lock acquire(Path lockFile, String what) throws LocalStateException {
    Path key = lockFile.toAbsolutePath().normalize();
    Held local = IN_PROCESS.computeIfAbsent(key, k -> new Held());
    long deadline = System.nanoTime() + WAIT.toNanos();
    try {
      if (!local.tryLock(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw busy(what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalStateException("Interrupted while waiting for " + what + ".", e);
    }
    if (local.getHoldCount() > 1) {
      return local::unlock; // re-entered by the same thread: the OS lock is already held
    }
    FileChannel channel = null;
    try {
      try {
        channel = AtomicFiles.openPrivate(key);
      } catch (java.nio.file.NoSuchFileException noDirectory) { // the first lock of a profile: not a stat every time
        AtomicFiles.createPrivateDirectories(key.getParent());
        channel = AtomicFiles.openPrivate(key);
      }
      FileLock lock;
      while ((lock = channel.tryLock()) == null) {
        if (System.nanoTime() - deadline > 0) {
          throw busy(what);
        }
        Thread.sleep(20);
      }
      FileLock held = lock;
      FileChannel open = channel;
      local.holding = HOLDINGS.incrementAndGet();
      return () -> {
        local.holding = 0;
        try {
          held.release();
          open.close();
        } catch (IOException ignored) {
          // Closing the channel releases the lock in any case.
        } finally {
          local.unlock();
        }
      };
    } catch (IOException e) {
      closeQuietly(channel);
      local.unlock();
      throw AtomicFiles.failure("lock", key, e);
    } catch (InterruptedException e) {
      closeQuietly(channel);
      local.unlock();
      Thread.currentThread().interrupt();
      throw new LocalStateException("Interrupted while waiting for " + what + ".", e);
    } catch (LocalStateException | RuntimeException e) {
      closeQuietly(channel);
      local.unlock();
      throw e;
    }
  }

  private static LocalStateException busy(String what) {
    return new LocalStateException("Another reschat process has held " + what + " for over " + WAIT.toSeconds()
        + " s; wait for it to finish or stop it.");
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // nothing more to do
      }
    }
  }
}
