package org.reschat.core.internal.feed;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.reschat.core.LocalStateException;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;

/**
 * One operation's view of the local state of its conversation's feeds: each page, newest page number and
 * outbox is read from the real state once, then kept, and every write goes through to the real state first
 * and then updates what is kept. A send asks for its own outbox and tail a dozen times; on the profile's
 * files each ask was a directory listing, a file read and a base64 check.
 *
 * <p>Sound because the operation holds its conversation's lock: no other thread or process writes these
 * feeds' pages or outbox meanwhile (every writer of them takes that lock). Everything else (evidence,
 * cursors, groups, requests, locks) passes through untouched. Not thread-safe beyond what the engine needs:
 * the loader threads only fetch from the store, they do not touch the local state.
 */
final class OperationState implements LocalState {
  private final LocalState state;
  private final Map<FeedId, Map<Long, Optional<String>>> pages = new HashMap<>();
  private final Map<FeedId, Long> newest = new HashMap<>();
  private final Map<FeedId, TreeMap<Long, String>> outbox = new HashMap<>();

  /** Pages, newest page numbers and outboxes looked up here in this process: a count for tests, never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong LOOKUPS = new java.util.concurrent.atomic.AtomicLong();

  OperationState(LocalState state) {
    this.state = state;
  }

  /** How many pages, newest page numbers and outboxes operations looked up so far (tests count a path's). */
  static long lookups() {
    return LOOKUPS.get();
  }

  @Override
  public synchronized Optional<String> page(FeedId feed, long number) throws LocalStateException {
    LOOKUPS.incrementAndGet();
    Map<Long, Optional<String>> held = pages.computeIfAbsent(feed, f -> new HashMap<>());
    Optional<String> value = held.get(number);
    if (value == null) {
      value = state.page(feed, number);
      held.put(number, value);
    }
    return value;
  }

  @Override
  public synchronized void savePage(FeedId feed, long number, String value) throws LocalStateException {
    state.savePage(feed, number, value);
    pages.computeIfAbsent(feed, f -> new HashMap<>()).put(number, Optional.of(value));
    Long n = newest.get(feed);
    if (n != null) {
      newest.put(feed, Math.max(n, number));
    }
  }

  @Override
  public synchronized long newestPage(FeedId feed) throws LocalStateException {
    LOOKUPS.incrementAndGet();
    Long n = newest.get(feed);
    if (n == null) {
      n = state.newestPage(feed);
      newest.put(feed, n);
    }
    return n;
  }

  @Override
  public synchronized SortedMap<Long, String> outbox(FeedId feed) throws LocalStateException {
    LOOKUPS.incrementAndGet();
    return Collections.unmodifiableSortedMap(outboxOf(feed));
  }

  private TreeMap<Long, String> outboxOf(FeedId feed) throws LocalStateException {
    TreeMap<Long, String> held = outbox.get(feed);
    if (held == null) {
      held = new TreeMap<>(state.outbox(feed));
      outbox.put(feed, held);
    }
    return held;
  }

  @Override
  public synchronized void putOutbox(FeedId feed, long number, String value) throws LocalStateException {
    TreeMap<Long, String> held = outboxOf(feed);
    state.putOutbox(feed, number, value);
    held.put(number, value);
  }

  @Override
  public synchronized void removeOutbox(FeedId feed, long number, String value) throws LocalStateException {
    TreeMap<Long, String> held = outboxOf(feed);
    state.removeOutbox(feed, number, value);
    if (value.equals(held.get(number))) {
      held.remove(number);
    }
  }

  @Override
  public synchronized void confirmOutbox(FeedId feed, long number, String value) throws LocalStateException {
    TreeMap<Long, String> held = outboxOf(feed);
    state.confirmOutbox(feed, number, value);
    pages.computeIfAbsent(feed, f -> new HashMap<>()).put(number, Optional.of(value));
    Long n = newest.get(feed);
    if (n != null) {
      newest.put(feed, Math.max(n, number));
    }
    if (value.equals(held.get(number))) {
      held.remove(number);
    }
  }

  // --- not kept: passed through ------------------------------------------------------------------------

  @Override
  public Set<String> queuedConversations() throws LocalStateException {
    return state.queuedConversations();
  }

  @Override
  public void saveEvidence(FeedId feed, long number, String value) throws LocalStateException {
    state.saveEvidence(feed, number, value);
  }

  @Override
  public List<String> evidence(FeedId feed, long number) throws LocalStateException {
    return state.evidence(feed, number);
  }

  @Override
  public Optional<String> group(String id) throws LocalStateException {
    return state.group(id);
  }

  @Override
  public void saveGroup(String id, String sealed) throws LocalStateException {
    state.saveGroup(id, sealed);
  }

  @Override
  public List<String> groupIds() throws LocalStateException {
    return state.groupIds();
  }

  @Override
  public Optional<String> pendingInvitations() throws LocalStateException {
    return state.pendingInvitations();
  }

  @Override
  public void savePendingInvitations(String sealed) throws LocalStateException {
    state.savePendingInvitations(sealed);
  }

  @Override
  public Optional<String> requests() throws LocalStateException {
    return state.requests();
  }

  @Override
  public void saveRequests(String record) throws LocalStateException {
    state.saveRequests(record);
  }

  @Override
  public Optional<String> deviceRecord(String name) throws LocalStateException {
    return state.deviceRecord(name);
  }

  @Override
  public void saveDeviceRecord(String name, String value) throws LocalStateException {
    state.saveDeviceRecord(name, value);
  }

  @Override
  public Position delivered(FeedId feed) throws LocalStateException {
    return state.delivered(feed);
  }

  @Override
  public void saveDelivered(FeedId feed, Position position) throws LocalStateException {
    state.saveDelivered(feed, position);
  }

  @Override
  public Lock lock(String conversation) throws LocalStateException {
    return state.lock(conversation);
  }

  @Override
  public boolean readOnly() {
    return state.readOnly();
  }
}
