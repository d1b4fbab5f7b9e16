package org.reschat.localdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.PageFormatException;

/**
 * Sealed pages kept one per file ({@code N.page} in a feed's directory): read through {@link TrustedFiles} and
 * checked to be an envelope, written with {@link AtomicFiles}. A file that is not one is reported with its path.
 */
final class PageFiles {
  private static final Pattern PAGE_FILE = Pattern.compile("([1-9][0-9]{0,15})\\.page");

  private final TrustedFiles trusted;

  PageFiles(TrustedFiles trusted) {
    this.trusted = trusted;
  }

  /** The page files in {@code dir} by number; empty when there is no such directory. */
  SortedMap<Long, Path> numbers(Path dir) throws LocalStateException {
    SortedMap<Long, Path> out = new TreeMap<>();
    trusted.checkIfPresent(dir);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        Matcher m = PAGE_FILE.matcher(p.getFileName().toString());
        if (m.matches()) {
          out.put(Long.parseLong(m.group(1)), p);
        }
      }
    } catch (IOException e) {
      throw AtomicFiles.failure("list", dir, e);
    }
    return out;
  }

  /** A directory's highest page number, and the directory's stamp when it was listed. */
  private record Listing(TrustedFiles.Stamp stamp, long newest) {}

  private final java.util.Map<Path, Listing> listings = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The highest page number in {@code dir}, or 0. Listed again only when the directory's stamp changed (a file
   * added, removed or renamed changes its time): a send asks for its feed's newest page, and listing a directory
   * of hundreds of pages each time was a good part of its CPU. Like git's "racy clean" rule, a listing is kept
   * only when the directory had not changed for a second before it: a change within the file system's time
   * granularity would not change the stamp.
   */
  long newest(Path dir) throws LocalStateException {
    Optional<TrustedFiles.Stamp> stamp = trusted.stamp(dir);
    if (stamp.isEmpty()) {
      return 0;
    }
    Listing held = listings.get(dir);
    if (held != null && held.stamp().equals(stamp.get())) {
      return held.newest();
    }
    long listedAt = System.currentTimeMillis();
    SortedMap<Long, Path> numbers = numbers(dir);
    long newest = numbers.isEmpty() ? 0 : numbers.lastKey();
    if (stamp.get().modified().toMillis() < listedAt - 1000) {
      listings.put(dir, new Listing(stamp.get(), newest));
    }
    return newest;
  }

  /** Every page in {@code dir}, by number. */
  SortedMap<Long, String> readAll(Path dir) throws LocalStateException {
    SortedMap<Long, String> out = new TreeMap<>();
    for (java.util.Map.Entry<Long, Path> e : numbers(dir).entrySet()) {
      read(e.getValue()).ifPresent(value -> out.put(e.getKey(), value));
    }
    return out;
  }

  /** A page read and checked, and the stamp its file had. */
  private record Held(TrustedFiles.Stamp stamp, String value) {}

  /** The pages read last (a send reads the other feeds' verified tails each time), by file: 64 at most. */
  private final java.util.Map<Path, Held> held = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<Path, Held> eldest) {
          return size() > 64;
        }
      });

  /**
   * The page in {@code file}, checked to be an envelope; empty when there is no file. One kept from an earlier
   * read is returned while the file's stamp is unchanged (ResChat replaces a page file by rename: another file),
   * under the same rule as {@link #newest}: only a file quiet for a second before it was read is kept.
   */
  Optional<String> read(Path file) throws LocalStateException {
    Optional<TrustedFiles.Stamp> stamp = trusted.stamp(file);
    if (stamp.isEmpty()) {
      return Optional.empty();
    }
    Held kept = held.get(file);
    if (kept != null && kept.stamp().equals(stamp.get())) {
      return Optional.of(kept.value());
    }
    long readAt = System.currentTimeMillis();
    Optional<String> value = readText(file);
    if (value.isPresent()) {
      try {
        Envelope.checkForm(value.get());
      } catch (PageFormatException e) {
        throw damaged(file, e.getMessage());
      }
      if (stamp.get().modified().toMillis() < readAt - 1000) {
        held.put(file, new Held(stamp.get(), value.get()));
      }
    }
    return value;
  }

  /** Writes a page file, atomically and durably. */
  static void write(Path file, String value) throws LocalStateException {
    AtomicFiles.write(file, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A file's text: never another user's file, one others may write, or one reached through a link. */
  Optional<String> readText(Path file) throws LocalStateException {
    try {
      return trusted.readText(file);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw damaged(file, "it is not UTF-8 text");
    }
  }

  static LocalStateException damaged(Path file, String problem) {
    return new LocalStateException("The local file " + file + " is damaged (" + problem
        + "). ResChat has not changed it; move it aside and run 'reschat history' to fetch the page again.");
  }
}
