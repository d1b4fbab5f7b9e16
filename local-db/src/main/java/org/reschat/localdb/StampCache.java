package org.reschat.localdb;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.LocalStateException;

/**
 * What was last made of a few files (their text, a checked page, a listing), kept while the file's
 * {@link TrustedFiles.Stamp} is unchanged: ResChat replaces a file by rename (another file), and an append or an
 * edit in place changes its size or time. Like git's "racy clean" rule, a result is kept only when the file had
 * not changed for a second before it was read: a change within the file system's time granularity would not
 * change the stamp. The 64 used last are kept.
 */
final class StampCache<T> {
  interface Loader<T> {
    T load(Path file) throws LocalStateException;
  }

  private record Held<T>(TrustedFiles.Stamp stamp, T value) {}

  private final Map<Path, Held<T>> held = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, Held<T>> eldest) {
      return size() > 64;
    }
  });

  /** {@code loader}'s result for {@code file}, stamped {@code stamp} a moment ago: the one kept, or a new one. */
  T get(Path file, TrustedFiles.Stamp stamp, Loader<T> loader) throws LocalStateException {
    Held<T> kept = held.get(file);
    if (kept != null && kept.stamp().equals(stamp)) {
      return kept.value();
    }
    long readAt = System.currentTimeMillis();
    T value = loader.load(file);
    if (stamp.modified().toMillis() < readAt - 1000) {
      held.put(file, new Held<>(stamp, value));
    }
    return value;
  }

  /** The same for a file that may be missing, stamped by {@code stamper}: empty, and nothing kept, when there is none. */
  static <T> Optional<T> ifPresent(StampCache<T> cache, SeenFiles.Stamper stamper, Path file, Loader<T> loader)
      throws LocalStateException {
    Optional<TrustedFiles.Stamp> stamp = stamper.stamp(file);
    return stamp.isEmpty() ? Optional.empty() : Optional.of(cache.get(file, stamp.get(), loader));
  }
}
