package org.reschat.core.spi;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.reschat.core.spi.FeedId;

/** {@link LocalState} in memory, for tests and for embedding without persistence. Thread-safe. */
public final class InMemoryLocalState implements LocalState {
  private final Map<FeedId, TreeMap<Long, String>> pages = new ConcurrentHashMap<>();
  private final Map<FeedId, TreeMap<Long, String>> outbox = new ConcurrentHashMap<>();
  private final Map<String, java.util.List<String>> evidence = new ConcurrentHashMap<>();
  private final Map<FeedId, Position> delivered = new ConcurrentHashMap<>();
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  @Override
  public synchronized Optional<String> page(FeedId feed, long number) {
    TreeMap<Long, String> held = pages.get(feed); // no empty map made for every ask
    return held == null ? Optional.empty() : Optional.ofNullable(held.get(number));
  }

  @Override
  public synchronized void savePage(FeedId feed, long number, String value) {
    pages.computeIfAbsent(feed, f -> new TreeMap<>()).put(number, value);
  }

  @Override
  public synchronized long newestPage(FeedId feed) {
    TreeMap<Long, String> map = pages.get(feed);
    return map == null || map.isEmpty() ? 0 : map.lastKey();
  }

  @Override
  public synchronized java.util.Set<String> queuedConversations() {
    java.util.Set<String> out = new java.util.HashSet<>();
    outbox.forEach((feed, pages) -> {
      if (!pages.isEmpty()) {
        out.add(feed.conversation());
      }
    });
    return out;
  }

  @Override
  public synchronized SortedMap<Long, String> outbox(FeedId feed) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(outbox.getOrDefault(feed, new TreeMap<>())));
  }

  @Override
  public synchronized void putOutbox(FeedId feed, long number, String value) {
    outbox.computeIfAbsent(feed, f -> new TreeMap<>()).put(number, value);
  }

  @Override
  public synchronized void removeOutbox(FeedId feed, long number, String value) {
    TreeMap<Long, String> map = outbox.get(feed);
    if (map != null && value.equals(map.get(number))) {
      map.remove(number);
    }
  }

  @Override
  public synchronized void saveEvidence(FeedId feed, long number, String value) {
    java.util.List<String> kept = evidence.computeIfAbsent(feed + "/" + number, k -> new java.util.ArrayList<>());
    if (!kept.contains(value)) {
      kept.add(value);
    }
  }

  @Override
  public synchronized java.util.List<String> evidence(FeedId feed, long number) {
    return java.util.List.copyOf(evidence.getOrDefault(feed + "/" + number, java.util.List.of()));
  }

  private final Map<String, String> groups = new ConcurrentHashMap<>();
  private volatile String requests;

  @Override
  public Optional<String> group(String id) {
    return Optional.ofNullable(groups.get(id));
  }

  @Override
  public void saveGroup(String id, String sealed) {
    groups.put(id, sealed);
  }

  private volatile String pendingInvitations;

  @Override
  public Optional<String> pendingInvitations() {
    return Optional.ofNullable(pendingInvitations);
  }

  @Override
  public void savePendingInvitations(String sealed) {
    pendingInvitations = sealed;
  }

  @Override
  public Optional<String> requests() {
    return Optional.ofNullable(requests);
  }

  @Override
  public synchronized void saveRequests(String record) {
    requests = record;
  }

  @Override
  public java.util.List<String> groupIds() {
    return java.util.List.copyOf(new java.util.TreeSet<>(groups.keySet()));
  }

  private final Map<String, String> deviceRecords = new ConcurrentHashMap<>();

  @Override
  public Optional<String> deviceRecord(String name) {
    return Optional.ofNullable(deviceRecords.get(DeviceRecords.checkName(name)));
  }

  @Override
  public void saveDeviceRecord(String name, String value) {
    deviceRecords.put(DeviceRecords.checkName(name), value);
  }

  @Override
  public Position delivered(FeedId feed) {
    return delivered.getOrDefault(feed, Position.START);
  }

  @Override
  public void saveDelivered(FeedId feed, Position position) {
    delivered.put(feed, position);
  }

  @Override
  public Lock lock(String conversation) {
    ReentrantLock lock = locks.computeIfAbsent(conversation, c -> new ReentrantLock());
    lock.lock();
    return lock::unlock;
  }
}
