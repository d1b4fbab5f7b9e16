package org.reschat.localdb;

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
  static Access readOnly(String reason) {
    return new Access(reason);
  }

  /**
   * What the file system allows: read-only when the profile directory or its {@code state/} exists and
   * this process cannot write it (a read-only mount, which binds root too, or a directory whose write bits
   * its owner cleared). A profile that does not exist yet is writable: it is created. (Another user's
   * directory is refused before this is asked, unless opened read-only by name: {@link TrustedFiles}.)
   */
  static Access of(Path dir) {
    for (Path p : new Path[] {dir, dir.resolve("state")}) {
      if (Files.isDirectory(p) && !Files.isWritable(p)) {
        return readOnly("it is not writable here");
      }
    }
    return WRITABLE;
  }

  public boolean readOnly() {
    return readOnlyBecause != null;
  }

  /** Refuses {@code what} (e.g. "change the friend list") when the profile at {@code dir} is read-only. */
  void check(Path dir, String what) throws ReadOnlyProfileException {
    if (readOnly()) {
      throw new ReadOnlyProfileException("The profile " + dir + " is opened read-only (" + readOnlyBecause
          + "), so ResChat cannot " + what + "; run this with a profile you may change.");
    }
  }
}
