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
 * with a clear message. A lock file's size is its {@link #generation}: a holder appends a byte to tell later
 * holders in every process that something changed they would otherwise have to look for.
 */
final class FileLocks {
  static final Duration WAIT = Duration.ofSeconds(60);
  private static final Map<Path, Held> IN_PROCESS = new ConcurrentHashMap<>();
  private static final java.util.concurrent.atomic.AtomicLong HOLDINGS = new java.util.concurrent.atomic.AtomicLong();

  /** How many lock files this JVM keeps open between holdings (a daemon touches many conversations). */
  static final int KEPT_OPEN = 32;
  private static final java.util.concurrent.atomic.AtomicLong OPENS = new java.util.concurrent.atomic.AtomicLong();
  /** The lock files open between holdings, the one used last at the end. */
  private static final java.util.LinkedHashMap<Path, Held> OPEN = new java.util.LinkedHashMap<>(16, 0.75f, true);

  /**
   * One lock file's lock in this JVM, which holding of it is under way (0: none), and the lock file, kept open
   * between holdings (only the thread holding the in-JVM lock, or closing it from {@link #OPEN}, touches it).
   */
  @SuppressWarnings("serial")
  private static final class Held extends ReentrantLock {
    volatile long holding;
    FileChannel channel;
    /** The lock file's device and inode when it was opened: a file put in its place is opened anew. */
    Object fileKey;
    /** Its size when a holding last looked (-1: not yet), and the {@link #generation} that size stands for. */
    long size = -1;
    long generation;
  }

  private static final java.util.concurrent.atomic.AtomicLong GENERATIONS = new java.util.concurrent.atomic.AtomicLong();

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

  /**
   * The holding of the first lock this thread took of those it holds now (0: none; {@link #threadHolding}), and
   * when it began ({@link #threadHoldingSince}).
   */
  private static final ThreadLocal<long[]> OUTERMOST = ThreadLocal.withInitial(() -> new long[2]);

  /**
   * Which holding of a lock this thread is in: the number of the first of the locks it holds now, the same until it
   * lets that one go; 0 when it holds none. An operation runs in one holding, so what it looked at once
   * ({@link TrustedFiles}) may stand for the rest of it.
   */
  static long threadHolding() {
    return OUTERMOST.get()[0];
  }

  /** When this thread's {@link #threadHolding holding} began (milliseconds, as currentTimeMillis), or now without one. */
  static long threadHoldingSince() {
    long[] outermost = OUTERMOST.get();
    return outermost[0] == 0 ? System.currentTimeMillis() : outermost[1];
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
    try {
      FileLock held = lockFile(local, key, deadline, what);
      long holding = HOLDINGS.incrementAndGet();
      local.holding = holding;
      long[] outermost = OUTERMOST.get();
      if (outermost[0] == 0) {
        outermost[0] = holding;
        outermost[1] = System.currentTimeMillis();
      }
      return () -> {
        local.holding = 0;
        if (outermost[0] == holding) {
          outermost[0] = 0;
        }
        try {
          held.release(); // the file stays open for the next holding: two system calls a holding, not six
        } catch (IOException e) {
          closeQuietly(local); // closing releases the lock in any case
        } finally {
          local.unlock();
          keepFewOpen();
        }
      };
    } catch (IOException e) {
      closeQuietly(local);
      local.unlock();
      throw AtomicFiles.failure("lock", key, e);
    } catch (InterruptedException e) {
      closeQuietly(local);
      local.unlock();
      Thread.currentThread().interrupt();
      throw new LocalStateException("Interrupted while waiting for " + what + ".", e);
    } catch (LocalStateException | RuntimeException e) {
      closeQuietly(local);
      local.unlock();
      throw e;
    }
  }

  /**
   * The OS lock on {@code key}, through the file kept open since an earlier holding when the path still names it:
   * checked once the lock is held (one stat), so a lock file someone removed or replaced meanwhile, which
   * another process would open and lock, is opened anew instead of locking a file no one else sees.
   */
  private static FileLock lockFile(Held local, Path key, long deadline, String what)
      throws IOException, InterruptedException, LocalStateException {
    while (true) {
      if (local.channel == null) {
        open(local, key);
      }
      FileLock lock;
      while ((lock = local.channel.tryLock()) == null) {
        if (System.nanoTime() - deadline > 0) {
          throw busy(what);
        }
        Thread.sleep(20);
      }
      java.nio.file.attribute.BasicFileAttributes now = attributes(key);
      if (local.fileKey != null && now != null && local.fileKey.equals(now.fileKey())) {
        sized(local, now.size());
        return lock;
      }
      closeQuietly(local); // releases the lock on the file no longer there
    }
  }

  private static void open(Held local, Path key) throws IOException {
    try {
      local.channel = AtomicFiles.openPrivate(key);
    } catch (java.nio.file.NoSuchFileException noDirectory) { // the first lock of a profile: not a stat every time
      AtomicFiles.createPrivateDirectories(key.getParent());
      local.channel = AtomicFiles.openPrivate(key);
    }
    OPENS.incrementAndGet();
    local.fileKey = fileKey(key);
    synchronized (OPEN) {
      OPEN.put(key, local);
    }
  }

  /** The device and inode {@code file} names now (null when there is none, or the platform does not say). */
  private static Object fileKey(Path file) throws IOException {
    java.nio.file.attribute.BasicFileAttributes a = attributes(file);
    return a == null ? null : a.fileKey();
  }

  private static java.nio.file.attribute.BasicFileAttributes attributes(Path file) throws IOException {
    try {
      return java.nio.file.Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
          java.nio.file.LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException gone) {
      return null;
    }
  }

  /** The lock file's size seen in a holding: another than the last one seen is another generation. */
  private static void sized(Held local, long size) {
    if (size != local.size) {
      local.size = size;
      local.generation = GENERATIONS.incrementAndGet();
    }
  }

  /**
   * The generation of {@code lockFile} in this thread's holding of it (0 when it holds none): the same as in an
   * earlier holding, of any thread of this JVM, only if no holder in any process called {@link #nextGeneration}
   * since. What holders cannot see cheaply changes with it (an outbox log created: {@link OutboxLog}).
   *
   * @param lockFile absolute and normalised, as {@link #acquire} makes it
   */
  static long generation(Path lockFile) {
    Held local = IN_PROCESS.get(lockFile);
    return local != null && local.isHeldByCurrentThread() ? local.generation : 0;
  }

  /**
   * Moves {@code lockFile} to a new {@link #generation}, for later holdings in every process: a byte appended to the
   * lock file, whose size each holding reads with the stat it takes anyway (its content is never read). Only by
   * this thread, holding it.
   */
  static void nextGeneration(Path lockFile) throws IOException {
    Held local = IN_PROCESS.get(lockFile);
    if (local == null || !local.isHeldByCurrentThread()) {
      throw new IllegalStateException("not held: " + lockFile);
    }
    long size = local.channel.size();
    java.nio.ByteBuffer mark = java.nio.ByteBuffer.wrap(new byte[] {'\n'});
    while (mark.hasRemaining()) {
      local.channel.write(mark, size);
    }
    sized(local, size + 1);
  }

  /** Closes the lock files used longest ago past {@link #KEPT_OPEN}, those no thread holds (or waits to). */
  private static void keepFewOpen() {
    synchronized (OPEN) {
      java.util.Iterator<Held> eldest = OPEN.values().iterator();
      int excess = OPEN.size() - KEPT_OPEN;
      while (excess > 0 && eldest.hasNext()) {
        Held h = eldest.next();
        if (h.tryLock()) {
          try {
            if (h.getHoldCount() == 1) {
              eldest.remove();
              closeChannel(h);
              excess--;
            }
          } finally {
            h.unlock();
          }
        }
      }
    }
  }

  /** How many lock files this JVM keeps open now: a count for tests. */
  static int keptOpen() {
    synchronized (OPEN) {
      return OPEN.size();
    }
  }

  /** How many times this JVM has opened a lock file: a count for tests. */
  static long opens() {
    return OPENS.get();
  }

  private static LocalStateException busy(String what) {
    return new LocalStateException("Another reschat process has held " + what + " for over " + WAIT.toSeconds()
        + " s; wait for it to finish or stop it.");
  }

  /** Closes {@code local}'s lock file (releasing its OS lock) and forgets it. */
  private static void closeQuietly(Held local) {
    synchronized (OPEN) {
      OPEN.values().remove(local);
    }
    closeChannel(local);
  }

  private static void closeChannel(Held local) {
    FileChannel c = local.channel;
    local.channel = null;
    local.fileKey = null;
    local.size = -1;
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // nothing more to do
      }
    }
  }
}
