package org.reschat.localdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import org.reschat.core.LocalStateException;
import org.reschat.kv.EndpointHealthMemory;

/**
 * A profile's {@link EndpointHealthMemory}: one small file ({@code state/endpoint-health}, 0600) shared by
 * every command of the profile, one line per endpoint, {@code <instant> <url>}, e.g.
 * {@code 2026-01-02T03:05:00Z http://10.0.0.2:18000/}.
 *
 * <p>The file only ever makes stores prefer other endpoints for a while, so whatever it holds is read
 * defensively and can only make the memory forget: a file over {@link #MAX_FILE_BYTES}, or anything but a
 * regular file (a pipe would block the read), is empty; a line that does not parse is skipped. Writes
 * read the file again, apply the one change and replace it atomically, so concurrent commands never tear
 * it (the last writer wins); entries are cut to {@link EndpointHealthMemory#REMEMBERED_FOR} from now and
 * the {@link #MAX_ENTRIES} most recently recorded kept.
 */
public final class EndpointHealthFile implements EndpointHealthMemory {
  static final int MAX_FILE_BYTES = 16 * 1024;
  static final int MAX_ENTRIES = 64;
  private static final String HEADER = "# Store endpoints that failed recently; reschat asks them last until the time shown."
      + " Safe to delete.\n";

  private final Path file;
  private final Clock clock;

  public EndpointHealthFile(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  @Override
  public synchronized Map<HttpUrl, Instant> suspects() {
    Instant now = clock.instant();
    Map<HttpUrl, Instant> live = new LinkedHashMap<>();
    read().forEach((url, until) -> {
      if (until.isAfter(now)) {
        live.put(url, until);
      }
    });
    return live;
  }

  @Override
  public synchronized void recordFailure(HttpUrl endpoint, Instant suspectUntil) {
    Map<HttpUrl, Instant> entries = read();
    entries.remove(endpoint);
    entries.put(endpoint, suspectUntil); // last, as the most recently recorded
    write(entries);
  }

  @Override
  public synchronized void recordSuccess(HttpUrl endpoint) {
    Map<HttpUrl, Instant> entries = read();
    if (entries.remove(endpoint) != null) {
      write(entries);
    }
  }

  @Override
  public String toString() {
    return "EndpointHealthFile{" + file + '}';
  }

  private Map<HttpUrl, Instant> read() {
    Map<HttpUrl, Instant> entries = new LinkedHashMap<>();
    byte[] bytes;
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        return entries;
      }
      try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
        bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      }
    } catch (IOException | SecurityException e) {
      return entries; // unreadable: nothing remembered
    }
    if (bytes.length > MAX_FILE_BYTES) {
      return entries; // not a file this class wrote
    }
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      String[] parts = line.strip().split(" ");
      if (parts.length != 2 || line.startsWith("#")) {
        continue;
      }
      HttpUrl url = HttpUrl.parse(parts[1]);
      try {
        if (url != null) {
          entries.put(url, Instant.parse(parts[0]));
        }
      } catch (DateTimeException e) {
        // a line that does not parse is skipped
      }
    }
    return entries;
  }

  private void write(Map<HttpUrl, Instant> entries) {
    Instant now = clock.instant();
    Instant latest = now.plus(REMEMBERED_FOR);
    List<Map.Entry<HttpUrl, Instant>> live = entries.entrySet().stream().filter(e -> e.getValue().isAfter(now)).toList();
    StringBuilder text = new StringBuilder(HEADER);
    for (Map.Entry<HttpUrl, Instant> e : live.subList(Math.max(0, live.size() - MAX_ENTRIES), live.size())) {
      text.append(e.getValue().isAfter(latest) ? latest : e.getValue()).append(' ').append(e.getKey()).append('\n');
    }
    try {
      AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    } catch (LocalStateException | RuntimeException e) {
      // Forgotten: the memory is advice, and a command must not fail for it.
    }
  }
}
