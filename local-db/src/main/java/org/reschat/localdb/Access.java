package org.reschat.localdb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a profile may be changed: writable, or read-only with the reason (a backup on read-only media,
 * another user's directory, {@code --read-only}). The one place that decides it, and the one place that
 * refuses a change to a read-only profile.
 */
public final class Access {
  static final Access WRITABLE = new Access(null);

  private final String readOnlyBecause;

  private Access(String readOnlyBecause) {
    this.readOnlyBecause = readOnlyBecause;
  }

  /** Read-only, for {@code reason} (a few words, e.g. "--read-only was given"). */
  public static Access readOnly(String reason) {
    return new Access(reason);
  }

  /**
   * What the file system allows: read-only when the profile directory or its {@code state/} exists and
   * cannot be written (a read-only mount, or a directory of another user this one may only read). A
   * profile that does not exist yet is writable: it is created.
   */
  static Access of(Path dir) {
    for (Path p : new Path[] {dir, dir.resolve("state")}) {
      if (Files.isDirectory(p)) {
        if (onReadOnlyFileSystem(p)) {
          return readOnly("it is on a read-only file system");
        }
        if (!Files.isWritable(p)) {
          return readOnly("you may not write to it");
        }
      }
    }
    return WRITABLE;
  }

  private static boolean onReadOnlyFileSystem(Path p) {
    try {
      return Files.getFileStore(p).isReadOnly();
    } catch (IOException e) {
      return false; // cannot tell: isWritable decides
    }
  }

  public boolean readOnly() {
    return readOnlyBecause != null;
  }

  /** Why the profile is read-only; null when it is writable. */
  public String reason() {
    return readOnlyBecause;
  }

  /** Refuses {@code what} (e.g. "change the friend list") when the profile at {@code dir} is read-only. */
  void check(Path dir, String what) throws ReadOnlyProfileException {
    if (readOnly()) {
      throw new ReadOnlyProfileException("The profile " + dir + " is opened read-only (" + readOnlyBecause
          + "), so ResChat cannot " + what + "; run this with a profile you may change.");
    }
  }
}
