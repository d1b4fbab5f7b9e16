package org.reschat.localdb;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.reschat.core.LocalStateException;
import org.reschat.core.spi.FeedId;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.PageFormatException;
import org.reschat.core.spi.LocalState;

/**
 * {@link LocalState} in a profile's {@code state/} directory:
 *
 * <pre>
 * state/pages/CONV.TAG/N.page          verified pages, sealed, verbatim as on the ledger
 * state/outbox/CONV.TAG.log           an own feed's outbox log: pages queued, confirmed, and the newest verified
 *                                      pages until it is compacted into pages/ ({@link OutboxLog}; earlier
 *                                      versions kept state/outbox/CONV.TAG/N.page files, moved into it)
 * state/evidence/CONV.TAG/N-H.page     second signed versions of a page (equivocation), H = a hash of the value
 * state/cursors/CONV.TAG.json          {"schema":1,"page":N,"slot":I}: how far update has delivered
 * state/groups/ID.group                a group's state, sealed under a key only this identity derives
 * state/requests.json                  message requests: inbox boards read, requesters, ignored, introduced
 * state/group-invitations              group invitations waiting for their member lists (sealed)
 * state/devices/NAME.record            linked devices: device lists verified, this device's own state (protocol §15)
 * state/locks/CONV.lock                one conversation's lock, across processes; a byte appended each time an
 *                                      outbox log of the conversation is created ({@link FileLocks#generation})
 * </pre>
 *
 * Every write is atomic and durable ({@link AtomicFiles}, or one fsynced append to an outbox log); files are
 * 0600, directories 0700. A file
 * that does not parse is reported with its path; nothing is written over it.
 */
public final class FileLocalState implements LocalState {
  static final int CURSOR_SCHEMA = 1;

  private final Path root;
  private final TrustedFiles trusted;
  private final PageFiles pageFiles;
  private final long compactAt;
  private final Map<String, OutboxLog> logs = new ConcurrentHashMap<>();

  FileLocalState(Path root, TrustedFiles trusted) {
    this(root, trusted, OutboxLog.COMPACT_AT);
  }

  /** With the outbox logs compacted past {@code compactAt} bytes (tests make it small). */
  FileLocalState(Path root, TrustedFiles trusted, long compactAt) {
    this.root = root;
    this.trusted = trusted;
    this.pageFiles = new PageFiles(trusted);
    this.compactAt = compactAt;
  }

  private Path pagesOf(FeedId feed) {
    return root.resolve("pages").resolve(feed.toString());
  }

  /** The outbox log of the feed named {@code feed} ({@code CONV.TAG}), one object per feed for this state's life. */
  private OutboxLog log(String feed) {
    return logs.computeIfAbsent(feed, f -> {
      String conversation = f.substring(0, f.indexOf('.'));
      Path lockFile = lockFile(conversation).toAbsolutePath().normalize();
      return new OutboxLog(root.resolve("outbox"), root.resolve("pages").resolve(f), f, trusted, new OutboxLog.Locks() {
        @Override
        public Lock lock() throws LocalStateException {
          return FileLocalState.this.lock(conversation);
        }

        @Override
        public long holding() {
          return FileLocks.holding(lockFile);
        }

        @Override
        public long generation() {
          return FileLocks.generation(lockFile);
        }

        @Override
        public void nextGeneration() throws LocalStateException {
          try {
            FileLocks.nextGeneration(lockFile);
          } catch (IOException e) {
            throw AtomicFiles.failure("write", lockFile, e);
          }
        }
      }, compactAt);
    });
  }

  private OutboxLog log(FeedId feed) {
    return log(feed.toString());
  }

  /** The log holds a feed's newest verified pages until it is compacted: it is read first. */
  @Override
  public Optional<String> page(FeedId feed, long number) throws LocalStateException {
    Optional<String> logged = log(feed).verified(number);
    return logged.isPresent() ? logged : pageFiles.read(pagesOf(feed).resolve(number + ".page"));
  }

  @Override
  public void savePage(FeedId feed, long number, String json) throws LocalStateException {
    OutboxLog log = log(feed);
    if (!log.exists() || !log.saveIfLogged(number, json)) {
      PageFiles.write(pagesOf(feed).resolve(number + ".page"), json);
    }
  }

  @Override
  public long newestPage(FeedId feed) throws LocalStateException {
    java.util.OptionalLong logged = log(feed).newestPage(); // an own feed's: no listing
    return logged.isPresent() ? logged.getAsLong() : pageFiles.newest(pagesOf(feed));
  }

  /** The conversations with a log or (from an earlier version) a directory of outbox files that queues a page. */
  @Override
  public java.util.Set<String> queuedConversations() throws LocalStateException {
    java.util.Set<String> out = new java.util.HashSet<>();
    Path dir = root.resolve("outbox");
    trusted.checkIfPresent(dir);
    if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    java.util.Set<String> feeds = new java.util.TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        String feed = name.endsWith(".log") ? name.substring(0, name.length() - 4) : name;
        if (FEED_NAME.matcher(feed).matches()) {
          feeds.add(feed);
        }
      }
    } catch (IOException e) {
      throw AtomicFiles.failure("list", dir, e);
    }
    for (String feed : feeds) {
      if (!log(feed).queued().isEmpty()) {
        out.add(feed.substring(0, feed.indexOf('.')));
      }
    }
    return out;
  }

  /** {@code CONV.TAG}: a feed's local name ({@link FeedId#toString}); temporary files start with a dot. */
  private static final Pattern FEED_NAME = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

  @Override
  public SortedMap<Long, String> outbox(FeedId feed) throws LocalStateException {
    return log(feed).queued();
  }

  @Override
  public void putOutbox(FeedId feed, long number, String json) throws LocalStateException {
    log(feed).put(number, json);
  }

  @Override
  public void removeOutbox(FeedId feed, long number, String json) throws LocalStateException {
    log(feed).remove(number, json);
  }

  /**
   * One append to the feed's outbox log, not fsynced: the queued version is the verified page now. Its content
   * was made durable when it was queued; a crash, or a power loss before a later fsync of the log, leaves it
   * queued, and the next publish reads the store, finds exactly this page there and confirms it again, writing
   * nothing. A page written before it was queued (a store whose writes are local transactions) is appended as
   * verified, not fsynced either: lost, the older version held is what the next write compares against, and the
   * store's answer, this page, is adopted. So a send fsyncs at most the outbox entry before the store sees the
   * page, and on such a store nothing (the first append of a feed creates its log, durably).
   */
  @Override
  public void confirmOutbox(FeedId feed, long number, String value) throws LocalStateException {
    log(feed).confirm(number, value);
  }

  @Override
  public void saveEvidence(FeedId feed, long number, String value) throws LocalStateException {
    String name = number + "-" + org.reschat.core.internal.crypto.Base64Url.encode(java.util.Arrays.copyOf(
        org.reschat.core.internal.crypto.Sha.sha256(value.getBytes(StandardCharsets.UTF_8)), 12)) + ".page";
    AtomicFiles.write(root.resolve("evidence").resolve(feed.toString()).resolve(name), value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public java.util.List<String> evidence(FeedId feed, long number) throws LocalStateException {
    Path dir = root.resolve("evidence").resolve(feed.toString());
    java.util.List<Path> files = new java.util.ArrayList<>();
    trusted.checkIfPresent(dir);
    if (Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, number + "-*.page")) {
        entries.forEach(files::add);
      } catch (IOException e) {
        throw AtomicFiles.failure("list", dir, e);
      }
    }
    files.sort(java.util.Comparator.comparing(p -> {
      try {
        return Files.getLastModifiedTime(p);
      } catch (IOException e) {
        return java.nio.file.attribute.FileTime.fromMillis(0);
      }
    }));
    java.util.List<String> out = new java.util.ArrayList<>();
    for (Path p : files) {
      readPage(p).ifPresent(out::add);
    }
    return out;
  }

  private static final Pattern GROUP_FILE = Pattern.compile("([A-Za-z0-9_-]{22}|[A-Za-z0-9_-]{24})\\.group"); // legacy ids, founded ids

  @Override
  public Optional<String> group(String id) throws LocalStateException {
    return readText(groupFile(id));
  }

  @Override
  public void saveGroup(String id, String sealed) throws LocalStateException {
    AtomicFiles.write(groupFile(id), sealed.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public java.util.List<String> groupIds() throws LocalStateException {
    Path dir = root.resolve("groups");
    java.util.List<String> out = new java.util.ArrayList<>();
    trusted.checkIfPresent(dir);
    if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        Matcher m = GROUP_FILE.matcher(p.getFileName().toString());
        if (m.matches()) {
          out.add(m.group(1));
        }
      }
    } catch (IOException e) {
      throw AtomicFiles.failure("list", dir, e);
    }
    java.util.Collections.sort(out);
    return out;
  }

  @Override
  public Optional<String> pendingInvitations() throws LocalStateException {
    return readText(root.resolve("group-invitations"));
  }

  @Override
  public void savePendingInvitations(String sealed) throws LocalStateException {
    AtomicFiles.write(root.resolve("group-invitations"), sealed.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Optional<String> requests() throws LocalStateException {
    return readText(root.resolve("requests.json"));
  }

  @Override
  public void saveRequests(String record) throws LocalStateException {
    AtomicFiles.write(root.resolve("requests.json"), record.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Optional<String> deviceRecord(String name) throws LocalStateException {
    return readText(deviceFile(name));
  }

  @Override
  public void saveDeviceRecord(String name, String value) throws LocalStateException {
    AtomicFiles.write(deviceFile(name), value.getBytes(StandardCharsets.UTF_8));
  }

  private Path deviceFile(String name) {
    return root.resolve("devices").resolve(org.reschat.core.spi.DeviceRecords.checkName(name) + ".record");
  }

  private Path groupFile(String id) {
    if (!GROUP_FILE.matcher(id + ".group").matches()) {
      throw new IllegalArgumentException("Not a group id: " + id);
    }
    return root.resolve("groups").resolve(id + ".group");
  }

  @Override
  public Position delivered(FeedId feed) throws LocalStateException {
    Path file = root.resolve("cursors").resolve(feed + ".json");
    Optional<String> text = readText(file);
    if (text.isEmpty()) {
      return Position.START;
    }
    JsonObject o = StrictJson.parseObject(text.get()).orElseThrow(() -> damaged(file, "it is not a JSON object"));
    long schema = StrictJson.integer(o, "schema", 0, Long.MAX_VALUE).orElseThrow(() -> damaged(file, "it has no schema"));
    if (schema != CURSOR_SCHEMA) {
      throw damaged(file, "its schema " + schema + " is not " + CURSOR_SCHEMA);
    }
    long page = StrictJson.integer(o, "page", 1, 1L << 53).orElseThrow(() -> damaged(file, "it has no valid page"));
    long slot = StrictJson.integer(o, "slot", 0, 1024).orElseThrow(() -> damaged(file, "it has no valid slot"));
    return new Position(page, (int) slot);
  }

  @Override
  public void saveDelivered(FeedId feed, Position position) throws LocalStateException {
    JsonObject o = new JsonObject();
    o.addProperty("schema", CURSOR_SCHEMA);
    o.addProperty("page", position.page());
    o.addProperty("slot", position.slot());
    AtomicFiles.write(root.resolve("cursors").resolve(feed + ".json"), (o + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public Lock lock(String conversation) throws LocalStateException {
    String what = conversation.equals("requests") ? "the message-request record"
        : conversation.startsWith("group-") ? "the group " + conversation.substring(6) : "the conversation " + conversation;
    return FileLocks.acquire(lockFile(conversation), what);
  }

  private Path lockFile(String conversation) {
    return root.resolve("locks").resolve(conversation + ".lock");
  }

  private Optional<String> readPage(Path file) throws LocalStateException {
    return pageFiles.read(file);
  }

  private Optional<String> readText(Path file) throws LocalStateException {
    return pageFiles.readText(file);
  }

  private static LocalStateException damaged(Path file, String problem) {
    return PageFiles.damaged(file, problem);
  }
}
