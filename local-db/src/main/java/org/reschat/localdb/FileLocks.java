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
  private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private FileLocks() {}

  static LocalState.Lock acquire(Path lockFile, String what) throws LocalStateException {
    Path key = lockFile.toAbsolutePath().normalize();
    ReentrantLock local = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
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
      AtomicFiles.createPrivateDirectories(key.getParent());
      channel = AtomicFiles.openPrivate(key);
      FileLock lock;
      while ((lock = channel.tryLock()) == null) {
        if (System.nanoTime() - deadline > 0) {
          throw busy(what);
        }
        Thread.sleep(20);
      }
      FileLock held = lock;
      FileChannel open = channel;
      return () -> {
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
