package org.reschat.localdb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.reschat.core.LocalStateException;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;

/**
 * The {@code state/} of a profile opened read-only: read from disk as it is, and what a run learns
 * (verified pages, evidence, cursors, group states, confirmed outbox pages) kept in memory on top of it,
 * so the run sees its own progress and no file is written. Locks are this JVM's only: no lock file is
 * created. Queueing a new own page is refused, because a page that was sent must be in a durable outbox
 * first (a later send from the writable profile would otherwise fork the feed).
 */
final class ReadOnlyLocalState implements LocalState {
  private final FileLocalState disk;
  private final Path profile;
  private final Access access;
  private final Map<FeedId, TreeMap<Long, String>> pages = new HashMap<>();
  private final Map<FeedId, Set<Map.Entry<Long, String>>> sent = new HashMap<>();
  private final Map<String, List<String>> evidence = new HashMap<>();
  private final Map<String, String> groups = new HashMap<>();
  private final Map<String, String> deviceRecords = new HashMap<>();
  private String requests; // the message-request record as this run changed it, if it did
  private final Map<FeedId, Position> delivered = new HashMap<>();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  ReadOnlyLocalState(FileLocalState disk, Path profile, Access access) {
    this.disk = disk;
    this.profile = profile;
    this.access = access;
  }

  @Override
  public boolean readOnly() {
    return true;
  }

  @Override
  public synchronized Optional<String> page(FeedId feed, long number) throws LocalStateException {
    String held = pages.getOrDefault(feed, new TreeMap<>()).get(number);
    return held != null ? Optional.of(held) : disk.page(feed, number);
  }

  @Override
  public synchronized void savePage(FeedId feed, long number, String value) {
    pages.computeIfAbsent(feed, f -> new TreeMap<>()).put(number, value);
  }

  @Override
  public synchronized long newestPage(FeedId feed) throws LocalStateException {
    TreeMap<Long, String> held = pages.get(feed);
    return Math.max(disk.newestPage(feed), held == null || held.isEmpty() ? 0 : held.lastKey());
  }

  /** As on disk (a page this run saw confirmed may still be counted: the chat is then read once more). */
  @Override
  public java.util.Set<String> queuedConversations() throws LocalStateException {
    return disk.queuedConversations();
  }

  /** The outbox on disk, less the pages this run saw confirmed. */
  @Override
  public synchronized SortedMap<Long, String> outbox(FeedId feed) throws LocalStateException {
    SortedMap<Long, String> out = new TreeMap<>(disk.outbox(feed));
    out.entrySet().removeAll(sent.getOrDefault(feed, Set.of()));
    return Collections.unmodifiableSortedMap(out);
  }

  @Override
  public void putOutbox(FeedId feed, long number, String value) throws LocalStateException {
    access.check(profile, "queue a message to send");
  }

  @Override
  public synchronized void removeOutbox(FeedId feed, long number, String value) {
    sent.computeIfAbsent(feed, f -> new HashSet<>()).add(Map.entry(number, value));
  }

  @Override
  public synchronized void saveEvidence(FeedId feed, long number, String value) throws LocalStateException {
    List<String> kept = evidence.computeIfAbsent(feed + "/" + number, k -> new ArrayList<>());
    if (!kept.contains(value) && !disk.evidence(feed, number).contains(value)) {
      kept.add(value);
    }
  }

  @Override
  public synchronized List<String> evidence(FeedId feed, long number) throws LocalStateException {
    List<String> out = new ArrayList<>(disk.evidence(feed, number));
    out.addAll(evidence.getOrDefault(feed + "/" + number, List.of()));
    return out;
  }

  @Override
  public synchronized Optional<String> group(String id) throws LocalStateException {
    String held = groups.get(id);
    return held != null ? Optional.of(held) : disk.group(id);
  }

  @Override
  public synchronized Optional<String> deviceRecord(String name) throws LocalStateException {
    String held = deviceRecords.get(org.reschat.core.spi.DeviceRecords.checkName(name));
    return held != null ? Optional.of(held) : disk.deviceRecord(name);
  }

  @Override
  public synchronized void saveDeviceRecord(String name, String value) {
    deviceRecords.put(org.reschat.core.spi.DeviceRecords.checkName(name), value);
  }

  @Override
  public synchronized void saveGroup(String id, String sealed) {
    groups.put(id, sealed);
  }

  @Override
  public synchronized List<String> groupIds() throws LocalStateException {
    Set<String> ids = new TreeSet<>(disk.groupIds());
    ids.addAll(groups.keySet());
    return List.copyOf(ids);
  }

  private String pendingInvitations; // as this run changed it, if it did

  @Override
  public synchronized Optional<String> pendingInvitations() throws LocalStateException {
    return pendingInvitations != null ? Optional.of(pendingInvitations) : disk.pendingInvitations();
  }

  @Override
  public synchronized void savePendingInvitations(String sealed) {
    pendingInvitations = sealed;
  }

  @Override
  public synchronized Optional<String> requests() throws LocalStateException {
    return requests != null ? Optional.of(requests) : disk.requests();
  }

  @Override
  public synchronized void saveRequests(String record) {
    requests = record;
  }

  @Override
  public synchronized Position delivered(FeedId feed) throws LocalStateException {
    Position held = delivered.get(feed);
    return held != null ? held : disk.delivered(feed);
  }

  @Override
  public synchronized void saveDelivered(FeedId feed, Position position) {
    delivered.put(feed, position);
  }

  /** This JVM's lock only: another process may write the profile meanwhile, which reading tolerates. */
  @Override
  public Lock lock(String conversation) {
    ReentrantLock lock = locks.computeIfAbsent(conversation, c -> new ReentrantLock());
    lock.lock();
    return lock::unlock;
  }
}
