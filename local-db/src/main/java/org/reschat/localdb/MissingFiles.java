package org.reschat.localdb;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Files found missing, with the {@link TrustedFiles.Stamp} their directory had just before: while the directory's
 * stamp is the same, no entry was added to it, so they are still missing. Asking the directory is a stat that
 * succeeds; asking for a missing file makes the JDK throw two exceptions, a good part of a send's CPU when it
 * looks for records that do not exist (no later epoch of a pair, no outbox log of another's feed).
 *
 * <p>Creating, renaming or linking a file into a directory changes its time; as in {@link StampCache} a stamp
 * counts only when the directory had not changed for a second before it was taken (the time's granularity).
 * The 64 used last are kept.
 */
final class MissingFiles {
  /**
   * A file seen missing: {@code directory} is its directory's stamp taken before that, or null when none counts
   * yet; then the directory is not asked for before {@code quietAt} (it cannot have been quiet for a second before),
   * so a directory that keeps changing (an outbox whose log is compacted often) costs no stat more than before.
   */
  private record Seen(TrustedFiles.Stamp directory, long quietAt) {}

  private final Map<Path, Seen> seen = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, Seen> eldest) {
      return size() > 64;
    }
  });

  /** How a file and its directory are stamped (and checked): empty when missing. */
  interface Stamper {
    Optional<TrustedFiles.Stamp> stamp(Path path) throws org.reschat.core.LocalStateException;
  }

  /**
   * {@code file}'s stamp, empty when it is missing: without asking for the file when it was missing last time and its
   * directory's stamp is the one taken then.
   */
  Optional<TrustedFiles.Stamp> stamp(Path file, Stamper stamper) throws org.reschat.core.LocalStateException {
    Seen before = seen.get(file);
    long at = System.currentTimeMillis();
    if (before == null || file.getParent() == null || (before.directory() == null && at < before.quietAt())) {
      Optional<TrustedFiles.Stamp> now = stamper.stamp(file);
      if (now.isEmpty() && before == null) {
        seen.put(file, new Seen(null, 0)); // its directory is stamped next time, before the file is asked for again
      } else if (now.isPresent() && before != null) {
        seen.remove(file);
      }
      return now;
    }
    Optional<TrustedFiles.Stamp> directory = stamper.stamp(file.getParent());
    if (directory.isPresent() && directory.get().equals(before.directory())) {
      return Optional.empty();
    }
    Optional<TrustedFiles.Stamp> now = stamper.stamp(file);
    if (now.isPresent() || directory.isEmpty()) {
      seen.remove(file);
    } else {
      long changed = directory.get().modified().toMillis();
      seen.put(file, changed < at - 1000 ? new Seen(directory.get(), 0) : new Seen(null, changed + 1000));
    }
    return now;
  }
}
