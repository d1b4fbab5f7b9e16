package org.reschat.localdb;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Files looked at, with the {@link TrustedFiles.Stamp} their directory had: while the directory's stamp is the same,
 * no entry was added to it, removed or renamed over, so a file found missing is still missing, and a file that is
 * only ever replaced by rename (every file {@link AtomicFiles} writes: pages, device records, cursors) is still the
 * one looked at. Asking the directory is one stat that stands for all its files: a send reads four device records,
 * two of them missing (a missing one also makes the JDK throw two exceptions), and a feed's verified page.
 *
 * <p>Creating, renaming or linking a file into a directory changes its time; as in {@link StampCache} a stamp
 * counts only when the directory had not changed for a second before it was taken (the time's granularity).
 * A file changed in place (an outbox log's appends; a hand edit) changes only its own stamp: such files are
 * always looked at. The 64 used last are kept.
 */
final class SeenFiles {
  /**
   * A file looked at: {@code directory} is its directory's stamp taken before that, or null when none counts yet;
   * then the directory is not asked for before {@code quietAt} (it cannot have been quiet for a second before), so
   * a directory that keeps changing (an outbox whose log is compacted often) costs no stat more than before.
   */
  private record Seen(TrustedFiles.Stamp directory, long quietAt, Optional<TrustedFiles.Stamp> file) {}

  private final Map<Path, Seen> seen = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, Seen> eldest) {
      return size() > 64;
    }
  });

  /** How a file and its directory are stamped (and checked): empty when missing. */
  interface Stamper {
    Optional<TrustedFiles.Stamp> stamp(Path path) throws org.reschat.core.LocalStateException;

    /**
     * A time no later than when the stamps it returns now were taken (it may return one taken earlier in a holding
     * of a lock): what a directory's quiet second is counted to.
     */
    default long takenSince() {
      return System.currentTimeMillis();
    }
  }

  /**
   * {@code file}'s stamp, empty when it is missing: without asking for the file when its directory's stamp is the
   * one taken when it was last looked at, and it was missing then or {@code replacedByRename} (never changed in place).
   */
  Optional<TrustedFiles.Stamp> stamp(Path file, Stamper stamper, boolean replacedByRename)
      throws org.reschat.core.LocalStateException {
    Seen before = seen.get(file);
    long at = stamper.takenSince();
    if (before == null || file.getParent() == null || (before.directory() == null && at < before.quietAt())) {
      Optional<TrustedFiles.Stamp> now = stamper.stamp(file);
      boolean kept = now.isEmpty() || replacedByRename;
      if (kept && file.getParent() != null) {
        // its directory is stamped next time, before the file is asked for again
        seen.put(file, new Seen(null, before == null ? 0 : before.quietAt(), now));
      } else if (before != null) {
        seen.remove(file);
      }
      return now;
    }
    Optional<TrustedFiles.Stamp> directory = stamper.stamp(file.getParent());
    if (directory.isPresent() && directory.get().equals(before.directory())) {
      return before.file();
    }
    Optional<TrustedFiles.Stamp> now = stamper.stamp(file);
    if ((now.isPresent() && !replacedByRename) || directory.isEmpty()) {
      seen.remove(file);
    } else {
      long changed = directory.get().modified().toMillis();
      seen.put(file, changed < at - 1000 ? new Seen(directory.get(), 0, now) : new Seen(null, changed + 1000, now));
    }
    return now;
  }
}
