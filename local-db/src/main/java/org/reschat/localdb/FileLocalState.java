package org.reschat.localdb;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
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
 * state/outbox/CONV.TAG/N.page         own pages not yet confirmed
 * state/evidence/CONV.TAG/N-H.page     second signed versions of a page (equivocation), H = a hash of the value
 * state/cursors/CONV.TAG.json          {"schema":1,"page":N,"slot":I}: how far update has delivered
 * state/groups/ID.group                a group's state, sealed under a key only this identity derives
 * state/requests.json                  message requests: inbox boards read, requesters, ignored, introduced
 * state/group-invitations              group invitations waiting for their member lists (sealed)
 * state/devices/NAME.record            linked devices: device lists verified, this device's own state (protocol §15)
 * state/locks/CONV.lock                one conversation's lock, across processes
 * </pre>
 *
 * Every write is atomic and durable ({@link AtomicFiles}); files are 0600, directories 0700. A file
 * that does not parse is reported with its path; nothing is written over it.
 */
public final class FileLocalState implements LocalState {
  static final int CURSOR_SCHEMA = 1;
  private static final Pattern PAGE_FILE = Pattern.compile("([1-9][0-9]{0,15})\\.page");

  private final Path root;
  private final TrustedFiles trusted;

  FileLocalState(Path root, TrustedFiles trusted) {
    this.root = root;
    this.trusted = trusted;
  }

  private Path pagesOf(FeedId feed) {
    return root.resolve("pages").resolve(feed.toString());
  }

  private Path outboxOf(FeedId feed) {
    return root.resolve("outbox").resolve(feed.toString());
  }

  @Override
  public Optional<String> page(FeedId feed, long number) throws LocalStateException {
    return readPage(pagesOf(feed).resolve(number + ".page"));
  }

  @Override
  public void savePage(FeedId feed, long number, String json) throws LocalStateException {
    AtomicFiles.write(pagesOf(feed).resolve(number + ".page"), json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public long newestPage(FeedId feed) throws LocalStateException {
    SortedMap<Long, Path> pages = numbers(pagesOf(feed));
    return pages.isEmpty() ? 0 : pages.lastKey();
  }

  @Override
  public java.util.Set<String> queuedConversations() throws LocalStateException {
    java.util.Set<String> out = new java.util.HashSet<>();
    Path dir = root.resolve("outbox");
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> feeds = Files.newDirectoryStream(dir)) {
      for (Path feed : feeds) {
        String name = feed.getFileName().toString();
        if (name.indexOf('.') > 0 && !numbers(feed).isEmpty()) {
          out.add(name.substring(0, name.indexOf('.')));
        }
      }
    } catch (IOException e) {
      throw AtomicFiles.failure("list", dir, e);
    }
    return out;
  }

  @Override
  public SortedMap<Long, String> outbox(FeedId feed) throws LocalStateException {
    SortedMap<Long, String> out = new TreeMap<>();
    for (java.util.Map.Entry<Long, Path> e : numbers(outboxOf(feed)).entrySet()) {
      readPage(e.getValue()).ifPresent(json -> out.put(e.getKey(), json));
    }
    return Collections.unmodifiableSortedMap(out);
  }

  @Override
  public void putOutbox(FeedId feed, long number, String json) throws LocalStateException {
    AtomicFiles.write(outboxOf(feed).resolve(number + ".page"), json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void removeOutbox(FeedId feed, long number, String json) throws LocalStateException {
    Path file = outboxOf(feed).resolve(number + ".page");
    Optional<String> current = readPage(file);
    if (current.isPresent() && current.get().equals(json)) {
      AtomicFiles.delete(file);
    }
  }

  /**
   * The queued file becomes the verified page by one rename, with no fsync: where saving and then removing
   * took two fsynced writes and a delete (three fsyncs). Its content was made durable when it was queued. A
   * crash, or a power loss before the file system commits the rename, leaves it queued: the next publish
   * reads the store, finds exactly this page there and confirms it again, writing nothing. So what a send
   * must make durable, the outbox entry before the store sees the page, is all it fsyncs.
   */
  @Override
  public void confirmOutbox(FeedId feed, long number, String value) throws LocalStateException {
    Path queued = outboxOf(feed).resolve(number + ".page");
    Optional<String> current = readPage(queued);
    if (current.isEmpty() || !current.get().equals(value)) {
      savePage(feed, number, value); // not the queued version: nothing to move
      removeOutbox(feed, number, value);
      return;
    }
    AtomicFiles.renameOver(queued, pagesOf(feed).resolve(number + ".page"));
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
    return FileLocks.acquire(root.resolve("locks").resolve(conversation + ".lock"), what);
  }

  private SortedMap<Long, Path> numbers(Path dir) throws LocalStateException {
    SortedMap<Long, Path> out = new TreeMap<>();
    trusted.checkIfPresent(dir);
    if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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

  private Optional<String> readPage(Path file) throws LocalStateException {
    Optional<String> json = readText(file);
    if (json.isPresent()) {
      try {
        Envelope.checkForm(json.get());
      } catch (PageFormatException e) {
        throw damaged(file, e.getMessage());
      }
    }
    return json;
  }

  /** A file's text: never another user's file, one others may write, or one reached through a link. */
  private Optional<String> readText(Path file) throws LocalStateException {
    try {
      return trusted.readText(file);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw damaged(file, "it is not UTF-8 text");
    }
  }

  private static LocalStateException damaged(Path file, String problem) {
    return new LocalStateException("The local file " + file + " is damaged (" + problem
        + "). ResChat has not changed it; move it aside and run 'reschat history' to fetch the page again.");
  }
}
