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

  private final StampCache<Long> listings = new StampCache<>();
  private final StampCache<Optional<String>> pages = new StampCache<>();
  private final StampCache<Optional<String>> texts = new StampCache<>();

  /**
   * The highest page number in {@code dir}, or 0. Listed again only when the directory's stamp changed (a file
   * added, removed or renamed changes its time; {@link StampCache}): a send asks for its feeds' newest pages, and
   * listing a directory of hundreds of pages each time was a good part of its CPU.
   */
  long newest(Path dir) throws LocalStateException {
    return StampCache.ifPresent(listings, trusted::stamp, dir, d -> {
      SortedMap<Long, Path> numbers = numbers(d);
      return numbers.isEmpty() ? 0L : numbers.lastKey();
    }).orElse(0L);
  }

  /** Every page in {@code dir}, by number. */
  SortedMap<Long, String> readAll(Path dir) throws LocalStateException {
    SortedMap<Long, String> out = new TreeMap<>();
    for (java.util.Map.Entry<Long, Path> e : numbers(dir).entrySet()) {
      read(e.getValue()).ifPresent(value -> out.put(e.getKey(), value));
    }
    return out;
  }

  /**
   * The page in {@code file}, checked to be an envelope; empty when there is no file. Kept while the file is
   * unchanged ({@link StampCache}): a send reads the other feeds' verified tails each time.
   */
  Optional<String> read(Path file) throws LocalStateException {
    return StampCache.ifPresent(pages, trusted::stampReplacedByRename, file, f -> {
      Optional<String> value = text(f);
      if (value.isPresent()) {
        try {
          Envelope.checkForm(value.get());
        } catch (PageFormatException e) {
          throw damaged(f, e.getMessage());
        }
      }
      return value;
    }).flatMap(value -> value);
  }

  /** Writes a page file, atomically and durably. */
  static void write(Path file, String value) throws LocalStateException {
    AtomicFiles.write(file, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A file's text: never another user's file, one others may write, or one reached through a link. Kept while
   * the file is unchanged ({@link StampCache}): a send reads the device records each time.
   */
  Optional<String> readText(Path file) throws LocalStateException {
    return StampCache.ifPresent(texts, trusted::stampReplacedByRename, file, this::text).flatMap(text -> text);
  }

  private Optional<String> text(Path file) throws LocalStateException {
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
