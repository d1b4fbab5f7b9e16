package org.reschat.kv.resilientdb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import okhttp3.HttpUrl;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.SuspectEndpoints;

/**
 * The endpoints of one ResilientDB cluster, lent out one caller at a time.
 *
 * <p>ResilientDB's HTTP service talks to the cluster over one shared connection, so two requests in
 * flight on one endpoint can fail each other. This pool therefore lends each endpoint to at most one
 * caller at a time; other callers take another endpoint or wait. Among the endpoints a caller may use it
 * prefers, in order: one this operation has not tried yet, one that has not failed recently, the one
 * idle longest (which spreads reads over the cluster). An endpoint an earlier process found failing starts
 * cooled down for as long as it is remembered, so the first request goes to another.
 */
final class EndpointPool {
  private static final Duration MAX_COOL_DOWN = Duration.ofSeconds(5);
  private static final Duration FIRST_COOL_DOWN = Duration.ofMillis(250);

  /** One endpoint and what the pool knows of it. Guarded by the pool's monitor. */
  static final class Endpoint {
    final HttpUrl url;
    boolean busy;
    int consecutiveFailures;
    long coolDownUntilNanos;
    long lastReleasedNanos;

    Endpoint(HttpUrl url) {
      this.url = url;
    }

    @Override
    public String toString() {
      return url.toString();
    }
  }

  private final List<Endpoint> endpoints;
  private boolean closed;

  EndpointPool(Collection<HttpUrl> urls, SuspectEndpoints suspects) {
    List<Endpoint> list = new ArrayList<>();
    long now = System.nanoTime();
    for (HttpUrl url : urls) {
      Endpoint endpoint = new Endpoint(url);
      long avoid = suspects.avoidAtStart(url).toNanos();
      if (avoid > 0) {
        endpoint.coolDownUntilNanos = now + avoid;
      }
      list.add(endpoint);
    }
    this.endpoints = List.copyOf(list);
  }

  List<Endpoint> all() {
    return endpoints;
  }

  int size() {
    return endpoints.size();
  }

  /**
   * Borrows the best endpoint for an operation that has already tried {@code tried}, waiting up to
   * {@code maxWait} for one to be free.
   */
  synchronized Endpoint acquire(Set<Endpoint> tried, Duration maxWait) throws KvTimeoutException, KvUnavailableException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (true) {
      ensureOpen();
      long now = System.nanoTime();
      Comparator<Endpoint> preference = Comparator
          .comparingInt((Endpoint e) -> rank(e, tried, now))
          .thenComparingLong(e -> e.lastReleasedNanos);
      Endpoint best = endpoints.stream().min(preference).orElseThrow();
      int bestRank = rank(best, tried, now);
      Endpoint chosen = endpoints.stream()
          .filter(e -> !e.busy && rank(e, tried, now) == bestRank)
          .min(preference)
          .orElse(null);
      if (chosen != null) {
        chosen.busy = true;
        return chosen;
      }
      waitUntil(deadline, "every endpoint stayed busy");
    }
  }

  /**
   * Borrows, without waiting, a free endpoint not in {@code tried} and not cooling down; null when there is
   * none. For a hedged second request: only worth sending to an endpoint that may answer sooner.
   */
  synchronized Endpoint tryAcquireFresh(Set<Endpoint> tried) {
    if (closed) {
      return null;
    }
    long now = System.nanoTime();
    Endpoint chosen = endpoints.stream().filter(e -> !e.busy && rank(e, tried, now) == 0)
        .min(Comparator.comparingLong(e -> e.lastReleasedNanos)).orElse(null);
    if (chosen != null) {
      chosen.busy = true;
    }
    return chosen;
  }

  /** Borrows one particular endpoint, e.g. to probe its health. */
  synchronized Endpoint acquire(Endpoint wanted, Duration maxWait) throws KvTimeoutException, KvUnavailableException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (true) {
      ensureOpen();
      if (!wanted.busy) {
        wanted.busy = true;
        return wanted;
      }
      waitUntil(deadline, wanted.url + " stayed busy");
    }
  }

  /** Returns an endpoint after use, recording whether it served the request. */
  synchronized void release(Endpoint endpoint, boolean served) {
    endpoint.busy = false;
    long now = System.nanoTime();
    endpoint.lastReleasedNanos = now;
    if (served) {
      endpoint.consecutiveFailures = 0;
      endpoint.coolDownUntilNanos = 0;
    } else {
      endpoint.consecutiveFailures++;
      long coolDown = Math.min(MAX_COOL_DOWN.toNanos(),
          FIRST_COOL_DOWN.toNanos() << Math.min(endpoint.consecutiveFailures - 1, 10));
      endpoint.coolDownUntilNanos = now + coolDown;
    }
    notifyAll();
  }

  synchronized void close() {
    closed = true;
    notifyAll();
  }

  private static int rank(Endpoint e, Set<Endpoint> tried, long now) {
    int rank = tried.contains(e) ? 2 : 0;
    if (e.coolDownUntilNanos - now > 0) {
      rank += 1;
    }
    return rank;
  }

  private void waitUntil(long deadline, String why) throws KvTimeoutException, KvUnavailableException {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      throw new KvTimeoutException("Gave up waiting for a free ResilientDB endpoint: " + why + ".");
    }
    try {
      // Cool-downs end without a release, so wake up at least every 100 ms to re-rank.
      long millis = Math.max(1, Math.min(100, remaining / 1_000_000));
      wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvUnavailableException("Interrupted while waiting for a ResilientDB endpoint.", e);
    }
  }

  private void ensureOpen() throws KvUnavailableException {
    if (closed) {
      throw new KvUnavailableException("The ResilientDB store is closed.");
    }
  }
}
