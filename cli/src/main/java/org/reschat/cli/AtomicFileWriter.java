package org.reschat.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.reschat.core.LocalStateException;

/**
 * A file written as a stream, yet all or nothing: into a temporary file beside the target (mode 0600),
 * flushed to disk, then renamed over the target on {@link #commit}; closed without a commit, the temporary
 * file goes and the target is as it was. The same promise as the profile's atomic writes, for output too big
 * to hold in memory first.
 */
public final class AtomicFileWriter implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private final FileChannel channel;
  private final Writer writer;
  private boolean committed;

  private AtomicFileWriter(Path target, Path temp, FileChannel channel) {
    this.target = target;
    this.temp = temp;
    this.channel = channel;
    this.writer = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8),
        1 << 16);
  }

  public static AtomicFileWriter create(Path target) throws LocalStateException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp = dir.resolve("." + target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    try {
      org.reschat.localdb.AtomicFiles.createPrivateDirectories(dir); // as every other file written: 0700 on the way
      FileChannel channel = temp.getFileSystem().supportedFileAttributeViews().contains("posix")
          ? FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
          : FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return new AtomicFileWriter(target, temp, channel);
    } catch (IOException e) {
      throw new LocalStateException("Could not write " + target + ": " + reason(e) + ".", e);
    }
  }

  public Writer writer() {
    return writer;
  }

  /** Makes what was written the target's content. */
  public void commit() throws LocalStateException {
    try {
      writer.flush();
      channel.force(true);
      channel.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      committed = true;
      try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException ignored) {
        // some file systems cannot sync a directory; the rename is still atomic
      }
    } catch (IOException e) {
      throw new LocalStateException("Could not write " + target + ": " + reason(e) + "; it is as it was.", e);
    }
  }

  private static String reason(IOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("No space left") ? "the disk is full" : e instanceof java.nio.file.AccessDeniedException
        ? "permission denied" : e instanceof java.nio.file.NoSuchFileException ? "no such directory" : m;
  }

  @Override
  public void close() {
    if (!committed) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // going anyway
      }
      try {
        Files.deleteIfExists(temp);
      } catch (IOException ignored) {
        // a leftover temporary file is harmless and never read
      }
    }
  }
}
