package org.reschat.kv.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.reschat.kv.KvException;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.SuspectEndpoints;

/**
 * The failover every HTTP store shares: which endpoint to ask, how long one that failed cools down, the
 * backoff between rounds, the hedged second request, the call deadline, and the one sentence that sums up a
 * call that failed. A store supplies only its requests and what an answer means ({@link Reader}).
 *
 * <ul>
 *   <li><b>Choice.</b> An endpoint this call has not tried before one it has; one in good standing before one
 *       cooling down (after a failure here, or remembered from an earlier process through
 *       {@link SuspectEndpoints}). Among equals an <em>exclusive</em> pool (ResilientDB, whose service fails
 *       overlapping requests) lends each endpoint to one request at a time and prefers the one idle longest,
 *       which spreads load; a shared pool (etcd) keeps to one preferred endpoint and moves on when it fails.</li>
 *   <li><b>Hedging.</b> A request with no answer after {@link #HEDGE_AFTER} is also sent to a free endpoint in
 *       good standing; the first answer wins and the slower endpoint cools down. One endpoint that accepts
 *       connections and never answers then costs a quarter second, not a timeout.</li>
 *   <li><b>Deadline.</b> A call ends by its deadline whatever happens: every request, every wait for a free
 *       endpoint and every backoff is cut to the time left, so an endpoint that drips one byte a second
 *       cannot stretch it.</li>
 *   <li><b>Failing fast.</b> When every endpoint failed in this store and is still cooling down, a call fails
 *       at once with what the last failure said, instead of paying the timeouts again a moment later.
 *       Endpoints only remembered from another process never cause this.</li>
 * </ul>
 * Thread-safe.
 */
public final class Failover implements AutoCloseable {
  /** How long a request may go unanswered before a second endpoint is asked too. */
  public static final Duration HEDGE_AFTER = Duration.ofMillis(250);
  private static final Duration FIRST_COOL_DOWN = Duration.ofMillis(250);
  private static final Duration MAX_COOL_DOWN = Duration.ofSeconds(5);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  /** What one answer means: a result, a reason to try another endpoint, or a final failure. */
  public static final class Outcome<T> {
    final T value;
    final KvException retry;
    final KvException fail;

    private Outcome(T value, KvException retry, KvException fail) {
      this.value = value;
      this.retry = retry;
      this.fail = fail;
    }

    public static <T> Outcome<T> success(T value) {
      return new Outcome<>(value, null, null);
    }

    /** The endpoint failed (a server error, an answer that is not the service's): try another. */
    public static <T> Outcome<T> retry(KvException why) {
      return new Outcome<>(null, why, null);
    }

    /** The endpoint works, but the request fails everywhere (refused as malformed, a corrupt value). */
    public static <T> Outcome<T> fail(KvException why) {
      return new Outcome<>(null, null, why);
    }
  }

  /** Reads one answer; an IOException while reading counts as the endpoint failing. */
  public interface Reader<T> {
    Outcome<T> read(HttpUrl url, Response response) throws IOException;
  }

  /** One endpoint and what this store knows of it. Guarded by the failover's monitor. */
  public static final class Endpoint {
    public final HttpUrl url;
    private final int index;
    private boolean busy;
    private int consecutiveFailures;
    private long coolDownUntilNanos;
    private boolean failedHere;
    private long lastReleasedNanos;

    private Endpoint(HttpUrl url, int index) {
      this.url = url;
      this.index = index;
    }

    @Override
    public String toString() {
      return url.toString();
    }
  }

  private final String storeName;
  private final List<Endpoint> endpoints;
  private final SuspectEndpoints suspects;
  private final StoreOptions options;
  private final boolean exclusive;
  private final ExecutorService runner;
  private final AtomicLong failedRequests = new AtomicLong();
  private volatile KvException lastFailure;
  private int preferred;
  private boolean closed;

  /**
   * @param storeName for sentences: "ResilientDB", "etcd"
   * @param exclusive whether each endpoint takes one request at a time
   */
  public Failover(String storeName, List<HttpUrl> urls, SuspectEndpoints suspects, StoreOptions options, boolean exclusive) {
    this.storeName = storeName;
    this.suspects = suspects;
    this.options = options;
    this.exclusive = exclusive;
    List<Endpoint> list = new ArrayList<>();
    long now = System.nanoTime();
    for (HttpUrl url : urls) {
      Endpoint e = new Endpoint(url, list.size());
      long avoid = suspects.avoidAtStart(url).toNanos();
      if (avoid > 0) {
        e.coolDownUntilNanos = now + avoid; // an earlier process found it failing: ask it last
      }
      list.add(e);
    }
    this.endpoints = List.copyOf(list);
    AtomicInteger threads = new AtomicInteger();
    this.runner = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "reschat-" + storeName.toLowerCase(java.util.Locale.ROOT) + "-request-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public List<Endpoint> all() {
    return endpoints;
  }

  public int size() {
    return endpoints.size();
  }

  /** Requests that got no usable answer, over the store's life. */
  public long failedRequests() {
    return failedRequests.get();
  }

  /** Runs work of the store's own (e.g. a batch's workers) on the failover's threads. */
  public <T> Future<T> submit(java.util.concurrent.Callable<T> work) throws KvUnavailableException {
    try {
      return runner.submit(work);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      throw closedException();
    }
  }

  /** The deadline of a read: the connect and read timeouts, once, for the whole call. */
  public long readDeadline() {
    return System.nanoTime() + options.connectTimeout().plus(options.readTimeout()).toNanos();
  }

  /**
   * Sends a request to the best endpoint, failing over on errors, until an answer, a final failure,
   * {@link StoreOptions#maxAttempts()} requests, or the deadline.
   *
   * @param what for the sentence of a failure, e.g. "read from"
   * @param hedge whether a slow request is raced by a second endpoint (safe for reads, and for writes that
   *     may be applied twice)
   */
  public <T> T execute(String what, long deadline, boolean hedge, OkHttpClient client, AtomicLong counter,
      Function<HttpUrl, Request> request, Reader<T> reader) throws KvException {
    failFastIfAllDown();
    Set<Endpoint> tried = new HashSet<>();
    List<KvException> failures = new ArrayList<>();
    int round = 0;
    for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
      if (attempt > 1 && System.nanoTime() - deadline >= 0) {
        break;
      }
      if (tried.size() == endpoints.size()) {
        backoff(round++, deadline);
        tried.clear();
      }
      Endpoint first = acquire(tried, deadline);
      CompletionService<Attempt<T>> race = new ExecutorCompletionService<>(runner);
      List<Attempt<T>> running = new ArrayList<>();
      running.add(start(race, first, deadline, client, counter, request, reader));
      tried.add(first);
      Attempt<T> winner = null;
      int pending = 1;
      try {
        Future<Attempt<T>> done = race.poll(Math.min(HEDGE_AFTER.toNanos(), remaining(deadline)), TimeUnit.NANOSECONDS);
        if (done == null && hedge) {
          Endpoint second = tryAcquireFresh(tried);
          if (second != null) {
            running.add(start(race, second, deadline, client, counter, request, reader));
            tried.add(second);
            pending++;
          }
        }
        while (true) {
          if (done == null) {
            done = race.poll(remaining(deadline), TimeUnit.NANOSECONDS);
            if (done == null) {
              failures.add(new KvTimeoutException(running.get(0).endpoint.url + " did not answer in time"));
              break; // the deadline: the attempts are cancelled below
            }
          }
          Attempt<T> a = done.get();
          pending--;
          if (a.served) {
            winner = a;
            break;
          }
          failedRequests.incrementAndGet();
          failures.add(a.problem);
          if (pending == 0) {
            break;
          }
          done = null;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KvUnavailableException("Interrupted while waiting for " + storeName + ".", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("A request failed unexpectedly", e.getCause());
      } finally {
        running.forEach(Attempt::cancel); // the slower one, if any, is abandoned and its endpoint released
      }
      // Told here, not by the attempts: a command's process may exit as soon as this call returns.
      for (Attempt<T> a : running) {
        suspects.record(a.endpoint.url, a == winner);
      }
      if (winner != null) {
        if (winner.outcome.fail != null) {
          throw winner.outcome.fail;
        }
        return winner.outcome.value;
      }
    }
    KvException failure = summarise(what, failures);
    lastFailure = failure;
    throw failure;
  }

  /** One request to one endpoint, run on {@link #runner}; releases the endpoint when done. */
  private static final class Attempt<T> {
    final Endpoint endpoint;
    final AtomicReference<Call> call = new AtomicReference<>();
    volatile boolean cancelled;
    boolean served;
    Outcome<T> outcome;
    KvException problem;

    Attempt(Endpoint endpoint) {
      this.endpoint = endpoint;
    }

    void cancel() {
      cancelled = true;
      Call c = call.get();
      if (c != null) {
        c.cancel();
      }
    }
  }

  private <T> Attempt<T> start(CompletionService<Attempt<T>> race, Endpoint endpoint, long deadline,
      OkHttpClient client, AtomicLong counter, Function<HttpUrl, Request> request, Reader<T> reader) {
    Attempt<T> a = new Attempt<>(endpoint);
    race.submit(() -> {
      try {
        Call call = client.newCall(request.apply(endpoint.url));
        a.call.set(call);
        if (a.cancelled) {
          call.cancel();
        }
        long limit = Math.max(1, remaining(deadline));
        long own = call.timeout().timeoutNanos();
        call.timeout().timeout(own == 0 ? limit : Math.min(own, limit), TimeUnit.NANOSECONDS);
        counter.incrementAndGet();
        try (Response response = call.execute()) {
          a.outcome = reader.read(endpoint.url, response);
        }
        // The endpoint works when it answered, whether or not the request itself succeeded.
        a.served = a.outcome.retry == null;
        a.problem = a.outcome.retry;
      } catch (ConnectException e) {
        a.problem = new KvUnavailableException(endpoint.url + " refused the connection", e);
      } catch (InterruptedIOException e) {
        a.problem = new KvTimeoutException(endpoint.url + " did not answer in time", e);
      } catch (IOException e) {
        a.problem = a.cancelled ? new KvUnavailableException(endpoint.url + " was not needed: another answered first", e)
            : new KvUnavailableException(endpoint.url + " failed: " + e.getMessage(), e);
      } finally {
        // One abandoned because another answered first was slower than a healthy one: it cools down too,
        // so the next requests go to the endpoint that answers.
        release(endpoint, a.served, a.cancelled, !a.cancelled && a.problem instanceof KvTimeoutException);
      }
      return a;
    });
    return a;
  }

  // --- choice and cool-down ---------------------------------------------------------------------------

  /** Takes the best endpoint for a call that has already tried {@code tried}, waiting until the deadline for one. */
  synchronized Endpoint acquire(Set<Endpoint> tried, long deadline) throws KvException {
    while (true) {
      ensureOpen();
      long now = System.nanoTime();
      Comparator<Endpoint> preference = preference(tried, now);
      Endpoint best = endpoints.stream().min(preference).orElseThrow();
      int bestRank = rank(best, tried, now);
      Endpoint chosen = endpoints.stream()
          .filter(e -> !(exclusive && e.busy) && rank(e, tried, now) == bestRank)
          .min(preference)
          .orElse(null);
      if (chosen != null) {
        chosen.busy = true;
        return chosen;
      }
      waitUntil(deadline, "every endpoint stayed busy");
    }
  }

  /** Takes, without waiting, a free endpoint not in {@code tried} and in good standing; null when there is none. */
  synchronized Endpoint tryAcquireFresh(Set<Endpoint> tried) {
    if (closed) {
      return null;
    }
    long now = System.nanoTime();
    Endpoint chosen = endpoints.stream().filter(e -> !(exclusive && e.busy) && rank(e, tried, now) == 0)
        .min(preference(tried, now)).orElse(null);
    if (chosen != null) {
      chosen.busy = true;
    }
    return chosen;
  }

  /** Takes one particular endpoint, e.g. to probe its health, waiting until the deadline while it is busy. */
  public synchronized Endpoint acquire(Endpoint wanted, long deadline) throws KvException {
    while (true) {
      ensureOpen();
      if (!(exclusive && wanted.busy)) {
        wanted.busy = true;
        return wanted;
      }
      waitUntil(deadline, wanted.url + " stayed busy");
    }
  }

  /** Gives an endpoint back after a request, recording whether it served it. */
  public void release(Endpoint endpoint, boolean served) {
    release(endpoint, served, false, false);
  }

  /**
   * As {@link #release(Endpoint, boolean)}; an endpoint {@code abandoned} (another answered first, or the
   * deadline came) cools down like one that failed, but is not counted as failed for failing fast; one that
   * {@code timedOut} cools down the longest at once, as asking it again costs a whole timeout.
   */
  private synchronized void release(Endpoint endpoint, boolean served, boolean abandoned, boolean timedOut) {
    endpoint.busy = false;
    long now = System.nanoTime();
    endpoint.lastReleasedNanos = now;
    if (served) {
      endpoint.consecutiveFailures = 0;
      endpoint.coolDownUntilNanos = 0;
      endpoint.failedHere = false;
    } else {
      endpoint.consecutiveFailures++;
      endpoint.failedHere |= !abandoned;
      endpoint.coolDownUntilNanos = now + (timedOut ? MAX_COOL_DOWN.toNanos() : Math.min(MAX_COOL_DOWN.toNanos(),
          FIRST_COOL_DOWN.toNanos() << Math.min(endpoint.consecutiveFailures - 1, 10)));
      if (preferred == endpoint.index) {
        preferred = (preferred + 1) % endpoints.size(); // the next call, from any thread, starts elsewhere
      }
    }
    notifyAll();
  }

  /** Passes on what a probe of {@code endpoint} showed to the memory shared with later stores. */
  public void record(Endpoint endpoint, boolean served) {
    suspects.record(endpoint.url, served);
  }

  private Comparator<Endpoint> preference(Set<Endpoint> tried, long now) {
    Comparator<Endpoint> byRank = Comparator.comparingInt(e -> rank(e, tried, now));
    return exclusive ? byRank.thenComparingLong(e -> e.lastReleasedNanos)
        : byRank.thenComparingInt(e -> Math.floorMod(e.index - preferred, endpoints.size()));
  }

  private static int rank(Endpoint e, Set<Endpoint> tried, long now) {
    int rank = tried.contains(e) ? 2 : 0;
    if (e.coolDownUntilNanos - now > 0) {
      rank += 1;
    }
    return rank;
  }

  private void failFastIfAllDown() throws KvException {
    KvException last = lastFailure;
    if (last == null) {
      return;
    }
    synchronized (this) {
      ensureOpen();
      long now = System.nanoTime();
      for (Endpoint e : endpoints) {
        if (!e.failedHere || e.coolDownUntilNanos - now <= 0) {
          return;
        }
      }
    }
    String sentence = last.getMessage();
    throw last instanceof KvTimeoutException ? new KvTimeoutException(sentence, last) : new KvUnavailableException(sentence, last);
  }

  private void waitUntil(long deadline, String why) throws KvException {
    long remaining = remaining(deadline);
    if (remaining <= 0) {
      throw new KvTimeoutException("Gave up waiting for a free " + storeName + " endpoint: " + why + ".");
    }
    try {
      // Cool-downs end without a release, so wake up at least every 100 ms to re-rank.
      wait(Math.max(1, Math.min(100, remaining / 1_000_000)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvUnavailableException("Interrupted while waiting for " + storeName + ".", e);
    }
  }

  // --- backoff, sentences, closing ---------------------------------------------------------------------

  /** Sleeps before round {@code round} (0 first) of retries: doubling, with jitter, never past the deadline. */
  public void backoff(int round, long deadline) throws KvUnavailableException {
    long capped = Math.min(options.retryBackoff().toNanos() << Math.min(round, 16), MAX_BACKOFF.toNanos());
    // Jitter between half and all of the step keeps clients that failed together from retrying together.
    long nanos = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    sleep(Math.min(nanos, remaining(deadline)));
  }

  /** Sleeps, or fails as the store does when interrupted. */
  public void sleep(long nanos) throws KvUnavailableException {
    if (nanos <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvUnavailableException("Interrupted while waiting for " + storeName + ".", e);
    }
  }

  /**
   * One sentence for a call that failed: what, where, and each distinct reason, e.g. "Could not read from
   * etcd after 4 attempts: http://a refused the connection; http://b did not answer in time." A timeout
   * when every reason was one, unavailable otherwise.
   */
  public KvException summarise(String what, List<KvException> failures) {
    String details = failures.stream().map(Throwable::getMessage).map(Failover::clause).distinct()
        .collect(Collectors.joining("; "));
    String sentence = "Could not " + what + " " + storeName + " after " + failures.size()
        + (failures.size() == 1 ? " attempt" : " attempts") + (details.isEmpty() ? "." : ": " + details + ".");
    KvException last = failures.isEmpty() ? null : failures.get(failures.size() - 1);
    boolean allTimeouts = !failures.isEmpty() && failures.stream().allMatch(f -> f instanceof KvTimeoutException);
    return allTimeouts ? new KvTimeoutException(sentence, last) : new KvUnavailableException(sentence, last);
  }

  /** A reason as a clause inside a sentence: no closing full stop. */
  private static String clause(String reason) {
    String text = reason == null ? "failed" : reason.strip();
    while (text.endsWith(".")) {
      text = text.substring(0, text.length() - 1);
    }
    return text;
  }

  public static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  public KvUnavailableException closedException() {
    return new KvUnavailableException("The " + storeName + " store is closed.");
  }

  private void ensureOpen() throws KvUnavailableException {
    if (closed) {
      throw closedException();
    }
  }

  public boolean closed() {
    synchronized (this) {
      return closed;
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
    runner.shutdownNow();
  }
}
