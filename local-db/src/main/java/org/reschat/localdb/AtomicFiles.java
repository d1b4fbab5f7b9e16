package org.reschat.localdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.reschat.core.LocalStateException;

/**
 * Writes files so that a crash leaves either the old or the new content, never a mix: write a temp file
 * in the same directory, fsync it, rename it over the target, fsync the directory. Files are created
 * readable by their owner only (0600), directories 0700.
 */
public final class AtomicFiles {
  static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");
  static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

  /** Called between writing the temp file and renaming it; tests use it to simulate a crash there. */
  interface CrashPoint {
    void beforeRename(Path temp) throws IOException;
  }

  static volatile CrashPoint crashPoint = temp -> { };

  /** fsyncs (of files and of directories) since the process started: a count for tests and {@code bench}. */
  private static final java.util.concurrent.atomic.AtomicLong FSYNCS = new java.util.concurrent.atomic.AtomicLong();

  /** The fsyncs this process has asked for so far, of files and directories, successful or not. */
  public static long fsyncs() {
    return FSYNCS.get();
  }

  /** Changes this JVM has made to files (writes, renames, deletions, directories made), each counted once done. */
  private static final java.util.concurrent.atomic.AtomicLong CHANGES = new java.util.concurrent.atomic.AtomicLong();

  /**
   * How many changes this JVM has made to files so far ({@link TrustedFiles} keeps a stamp for the rest of a holding
   * only while this is the same). Counted after each change, failed or not, so that a look taken before a change
   * is never taken for one after it.
   */
  static long changes() {
    return CHANGES.get();
  }

  /** Counts a change just made to a file (or one that may have been made, before a failure). */
  static void changed() {
    CHANGES.incrementAndGet();
  }

  private AtomicFiles() {}

  /** Replaces {@code target}'s content with {@code bytes}, atomically and durably. */
  public static void write(Path target, byte[] bytes) throws LocalStateException {
    writeAll(target.toAbsolutePath().getParent(), java.util.Map.of(target.getFileName().toString(), bytes));
  }

  /**
   * Replaces the content of several files of one directory ({@code name → bytes}), each atomically, all durably
   * when this returns: each file's temp copy fsynced, then the renames, then one fsync of the directory for all
   * of them (n + 1 fsyncs, where n writes took 2n). A crash leaves each file old or new.
   */
  static void writeAll(Path dir, java.util.Map<String, byte[]> files) throws LocalStateException {
    java.util.Map<Path, Path> temps = new java.util.LinkedHashMap<>(); // temp → target
    Path current = dir;
    try {
      createPrivateDirectories(dir);
      for (java.util.Map.Entry<String, byte[]> f : files.entrySet()) {
        current = dir.resolve(f.getKey());
        Path temp = dir.resolve("." + f.getKey() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        temps.put(temp, current);
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            fileAttributes(temp, PRIVATE_FILE))) {
          ByteBuffer buffer = ByteBuffer.wrap(f.getValue());
          while (buffer.hasRemaining()) {
            channel.write(buffer);
          }
          FSYNCS.incrementAndGet();
          channel.force(true);
        }
      }
      for (java.util.Iterator<java.util.Map.Entry<Path, Path>> it = temps.entrySet().iterator(); it.hasNext(); ) {
        java.util.Map.Entry<Path, Path> move = it.next();
        current = move.getValue();
        crashPoint.beforeRename(move.getKey());
        Files.move(move.getKey(), move.getValue(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        it.remove();
      }
      if (!files.isEmpty()) {
        fsyncDirectory(dir);
      }
    } catch (IOException e) {
      temps.keySet().forEach(AtomicFiles::deleteQuietly);
      throw failure("write", current, e);
    } finally {
      changed();
    }
  }

  /**
   * Moves {@code source} over {@code target} in one atomic rename (same file system), without an fsync: a
   * crash leaves the old names or the new ones, and a power loss may bring the old ones back until some later
   * fsync of the file system commits it. Only for a step whose loss a caller repairs by itself (the profile's
   * outbox: a confirmed page still queued is confirmed again by the next publish). The content is as durable
   * as {@code source} was.
   */
  public static void renameOver(Path source, Path target) throws LocalStateException {
    try {
      createPrivateDirectories(target.toAbsolutePath().getParent());
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw failure("move", source, e);
    } finally {
      changed();
    }
  }

  /**
   * Makes what was written through {@code channel} durable: its data and what is needed to read it back, the
   * size included (fdatasync), not its times. One fsync in {@link #fsyncs}: an append to a file that exists.
   */
  static void forceData(FileChannel channel) throws IOException {
    FSYNCS.incrementAndGet();
    channel.force(false);
  }

  /** Deletes a file if it exists, durably. */
  public static void delete(Path target) throws LocalStateException {
    try {
      if (Files.deleteIfExists(target)) {
        fsyncDirectory(target.toAbsolutePath().getParent());
      }
    } catch (IOException e) {
      throw failure("delete", target, e);
    } finally {
      changed();
    }
  }

  /**
   * Opens {@code file} for writing, creating it with mode 0600 if missing (a lock file: its content is
   * never read). One left open to others by an older ResChat is tightened to 0600.
   */
  static FileChannel openPrivate(Path file) throws IOException {
    // Not through a link: a link planted here must not make ResChat open, or chmod, a file elsewhere.
    FileChannel channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        java.nio.file.LinkOption.NOFOLLOW_LINKS), fileAttributes(file, PRIVATE_FILE));
    try {
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        TrustedFiles.makePrivate(file);
      }
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return channel;
  }

  /** Creates a directory and its parents with mode 0700 where they are missing. */
  public static void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      createPrivateDirectories(parent);
    }
    try {
      Files.createDirectory(dir, fileAttributes(dir, PRIVATE_DIR));
    } catch (java.nio.file.FileAlreadyExistsException raced) {
      if (!Files.isDirectory(dir)) {
        throw raced;
      }
    } finally {
      changed();
    }
  }

  /** A failure of local storage, as one sentence with the path and what to do. */
  static LocalStateException failure(String action, Path path, IOException e) {
    String why;
    if (e instanceof AccessDeniedException) {
      why = "permission denied; check the owner and mode of " + path.getParent();
    } else if (e instanceof NoSuchFileException) {
      why = "a directory on the way is missing";
    } else if (isDiskFull(e)) {
      why = "the disk is full; free some space and try again";
    } else if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
      why = ((FileSystemException) e).getReason();
    } else {
      why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new LocalStateException("Could not " + action + " " + path + ": " + why + ".", e);
  }

  private static boolean isDiskFull(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("No space left") || m.contains("Disk quota exceeded");
  }

  private static FileAttribute<?>[] fileAttributes(Path p, Set<PosixFilePermission> perms) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix")
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)} : new FileAttribute<?>[0];
  }

  private static void fsyncDirectory(Path dir) {
    FSYNCS.incrementAndGet();
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException ignored) {
      // Some file systems cannot open or sync a directory; the rename itself is still atomic there.
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // Best effort: a leftover temp file is harmless and is never read.
    }
  }
}
