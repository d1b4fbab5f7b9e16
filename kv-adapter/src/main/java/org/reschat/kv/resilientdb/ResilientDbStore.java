package org.reschat.kv.resilientdb;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.HttpStoreBuilder;
import org.reschat.kv.KvKeys;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvRejectedException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.KvUnconfirmedException;
import org.reschat.kv.KvValues;
import org.reschat.kv.StoreHealth;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.SuspectEndpoints;

/**
 * A {@link KvStore} on ResilientDB's HTTP key-value service ("Crow", port 18000 by default).
 *
 * <p>The wire contract, read from ResilientDB's sources:
 * <ul>
 *   <li>{@code POST /v1/transactions/commit} with a JSON object whose {@code "id"} is a string stores the
 *       whole body under that id and answers {@code 201 id: <id>}. This store posts
 *       {@code {"id": key, "value": value}}.</li>
 *   <li>{@code GET /v1/transactions/<key>} answers 200 with the stored body, or 200 with an empty body
 *       when the key is absent.</li>
 *   <li>201 does not mean committed: consensus may still lose the write or make it visible later. So
 *       {@link #put} reads back until it sees its value, and posts again if another value persists.</li>
 *   <li>Overlapping requests to one endpoint can fail each other, so at most one request is in flight
 *       per endpoint; load spreads over several endpoints, which also serve as failover.</li>
 *   <li>There is no server-side timeout, so every request has a client-side one.</li>
 * </ul>
 *
 * <p>Thread-safe. Instances hold an OkHttp client; {@link #close()} releases it.
 */
public final class ResilientDbStore implements KvStore {
  /**
   * The largest response body read; anything longer is reported as corrupt rather than buffered. A body is
   * the JSON this store posted: a value of at most {@link KvValues#MAX_VALUE_BYTES}, in which JSON escaping
   * can turn one byte into six ({@code \\u0001}), plus the key and the field names.
   */
  static final long MAX_BODY_BYTES = 6L * KvValues.MAX_VALUE_BYTES + 4096;

  /** Key probed by {@link #health()}; never written. */
  static final String HEALTH_PROBE_KEY = "reschat.health-probe";

  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final Duration FIRST_POLL = Duration.ofMillis(50);
  private static final Duration MAX_POLL = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final EndpointPool pool;
  private final SuspectEndpoints suspects;
  private final OkHttpClient client;
  private final StoreOptions options;
  private final Duration repostAfter;
  private final Duration acquireWait;
  private final AtomicLong commitsSent = new AtomicLong();
  private final AtomicLong readsSent = new AtomicLong();
  private final AtomicLong failedRequests = new AtomicLong();
  private final BlockUpdateNotifier blockUpdates;
  /** Runs requests so a slow one can be raced by a second; at most two per operation, one per endpoint. */
  private final java.util.concurrent.ExecutorService hedging;

  private ResilientDbStore(Builder b) {
    this.suspects = b.suspectEndpoints();
    this.pool = new EndpointPool(b.endpoints(), suspects);
    this.options = b.options();
    Duration perRequest = options.connectTimeout().plus(options.readTimeout()).plus(options.readTimeout());
    OkHttpClient base = b.baseClient();
    this.client = base.newBuilder()
        .connectTimeout(options.connectTimeout())
        .readTimeout(options.readTimeout())
        .writeTimeout(options.readTimeout())
        .callTimeout(perRequest)
        .retryOnConnectionFailure(false) // retries are ours: they pick another endpoint and back off
        .socketFactory(new NoDelaySocketFactory())
        .followRedirects(false)
        .build();
    Duration third = options.confirmTimeout().dividedBy(3);
    this.repostAfter = third.compareTo(Duration.ofSeconds(2)) < 0 ? third : Duration.ofSeconds(2);
    this.acquireWait = perRequest.multipliedBy(options.maxAttempts());
    this.blockUpdates = new BlockUpdateNotifier(b.endpoints(), options.connectTimeout());
    java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
    this.hedging = java.util.concurrent.Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "resilientdb-request-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    KvKeys.requireValid(key);
    return read(key, Long.MAX_VALUE);
  }

  /**
   * Crow has no batch route: one read per key, spread over every endpoint at once, one worker per endpoint
   * so each still carries one request at a time; each read fails over and hedges as {@link #get} does.
   */
  @Override
  public Map<String, KvRead> getAll(Collection<String> keys) throws KvException {
    keys.forEach(KvKeys::requireValid);
    List<String> distinct = List.copyOf(new LinkedHashSet<>(keys));
    KvRead[] answers = new KvRead[distinct.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicReference<KvException> failure = new AtomicReference<>();
    Runnable worker = () -> {
      for (int i = next.getAndIncrement(); i < answers.length && failure.get() == null; i = next.getAndIncrement()) {
        String key = distinct.get(i);
        try {
          answers[i] = KvRead.of(read(key, Long.MAX_VALUE));
        } catch (KvCorruptValueException e) {
          answers[i] = new KvRead.Corrupt(e.getMessage());
        } catch (KvException e) {
          failure.compareAndSet(null, e); // the others stop at their next key
        }
      }
    };
    List<java.util.concurrent.Future<?>> helpers = new ArrayList<>();
    try {
      for (int w = 1; w < Math.min(pool.size(), distinct.size()); w++) {
        helpers.add(hedging.submit(worker));
      }
      worker.run();
      for (java.util.concurrent.Future<?> helper : helpers) {
        helper.get();
      }
    } catch (java.util.concurrent.RejectedExecutionException e) {
      throw new KvUnavailableException("The ResilientDB store is closed.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvUnavailableException("Interrupted while waiting for ResilientDB.", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("A read failed unexpectedly", e.getCause());
    } finally {
      helpers.forEach(h -> h.cancel(true));
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    Map<String, KvRead> out = new LinkedHashMap<>();
    for (int i = 0; i < answers.length; i++) {
      out.put(distinct.get(i), answers[i]);
    }
    return out;
  }

  @Override
  public void put(String key, String value) throws KvException {
    KvKeys.requireValid(key);
    KvValues.requireValid(value);
    String body = transactionBody(key, value);
    long deadline = System.nanoTime() + options.confirmTimeout().toNanos();
    commit(key, body, deadline); // the whole put, first post included, ends by the confirm timeout
    long lastPost = System.nanoTime();
    Duration poll = FIRST_POLL;
    KvException lastProblem = null;
    String lastSeen = "nothing";
    while (true) {
      try {
        Optional<String> seen = read(key, deadline);
        if (seen.isPresent() && seen.get().equals(value)) {
          return;
        }
        lastSeen = seen.isPresent() ? "another value" : "no value";
        lastProblem = null;
      } catch (KvCorruptValueException e) {
        lastSeen = "a corrupt value";
        lastProblem = e;
      } catch (KvUnavailableException | KvTimeoutException e) {
        lastProblem = e;
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        throw new KvUnconfirmedException("ResilientDB accepted the write of key " + key + " but still showed "
            + lastSeen + " after " + seconds(options.confirmTimeout()) + "; the cluster may be stalled or have lost it.",
            lastProblem);
      }
      if (lastProblem == null || lastProblem instanceof KvCorruptValueException) {
        if (now - lastPost >= repostAfter.toNanos()) {
          try {
            commit(key, body, deadline);
          } catch (KvUnavailableException | KvTimeoutException e) {
            lastProblem = e;
          }
          lastPost = System.nanoTime();
        }
      }
      sleep(Math.min(poll.toNanos(), Math.max(0, deadline - System.nanoTime())));
      poll = poll.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : poll.multipliedBy(2);
    }
  }

  @Override
  public String describe() {
    return "ResilientDB at " + pool.all().stream().map(e -> e.url.toString()).collect(Collectors.joining(", "));
  }

  @Override
  public StoreHealth health() {
    List<StoreHealth.Endpoint> results = new ArrayList<>();
    for (EndpointPool.Endpoint endpoint : pool.all()) {
      results.add(probe(endpoint));
    }
    return new StoreHealth(describe(), results);
  }

  @Override
  public int maxConcurrentReads() {
    return pool.size();
  }

  /** Counts of HTTP requests this store has sent, for benchmarks and tests. */
  public RequestCounts requestCounts() {
    return new RequestCounts(commitsSent.get(), readsSent.get(), failedRequests.get());
  }

  /**
   * Requests sent so far.
   *
   * @param commits POSTs to {@code /v1/transactions/commit}, including re-posts
   * @param reads GETs, including read-backs that confirm a write
   * @param failed requests that did not get a usable answer (and were retried or reported)
   */
  public record RequestCounts(long commits, long reads, long failed) {}

  /**
   * Hints from the block-update WebSocket every endpoint serves; while a socket is down (or a service
   * does not have it) the watch is not live and callers poll as before.
   */
  @Override
  public Optional<org.reschat.kv.ChangeNotifier> changes() {
    return Optional.of(blockUpdates);
  }

  @Override
  public void close() {
    blockUpdates.closeAll();
    pool.close();
    hedging.shutdownNow();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  // --- the two routes ---------------------------------------------------------------------------

  private Optional<String> read(String key, long deadline) throws KvException {
    return execute("read key " + key, deadline, readsSent,
        url -> new Request.Builder().url(transactionUrl(url, key)).get().build(),
        (url, response) -> {
          int code = response.code();
          if (code == 200) {
            String body;
            try {
              body = readBody(response.body());
            } catch (BodyTooLargeException e) {
              return Outcome.fail(KvValues.tooLarge(key, -1));
            }
            try {
              Optional<String> value = parseStoredValue(key, body);
              if (value.isPresent()) {
                KvValues.checkReadSize(key, utf8Length(value.get()));
              }
              return Outcome.success(value);
            } catch (KvCorruptValueException e) {
              return Outcome.fail(e);
            }
          }
          String answer = describeAnswer(response);
          if (code >= 400 && code < 500) {
            return Outcome.fail(new KvRejectedException("ResilientDB at " + url + " refused to read key " + key
                + ": " + answer + "."));
          }
          return Outcome.retry(new KvUnavailableException(url + " answered the read with " + answer));
        });
  }

  private void commit(String key, String body, long deadline) throws KvException {
    String expected = "id: " + key;
    execute("write key " + key, deadline, commitsSent,
        url -> new Request.Builder().url(commitUrl(url)).post(RequestBody.create(body, JSON)).build(),
        (url, response) -> {
          int code = response.code();
          if (code == 201) {
            String answer;
            try {
              answer = readBody(response.body()).strip();
            } catch (BodyTooLargeException e) {
              answer = "(an oversized body)";
            }
            if (answer.equals(expected)) {
              return Outcome.success(null);
            }
            return Outcome.retry(new KvUnavailableException(url + " acknowledged the write with \"" + shorten(answer)
                + "\" instead of \"" + shorten(expected) + "\""));
          }
          String answer = describeAnswer(response);
          if (code >= 400 && code < 500) {
            return Outcome.fail(new KvRejectedException("ResilientDB at " + url + " refused the write of key " + key
                + ": " + answer + "."));
          }
          return Outcome.retry(new KvUnavailableException(url + " answered the write with " + answer));
        });
  }

  /**
   * Parses a 200 answer to {@code GET /v1/transactions/<key>}: empty means absent; otherwise it must be
   * the JSON object this store posted, naming {@code key} and holding a string value.
   */
  static Optional<String> parseStoredValue(String key, String body) throws KvCorruptValueException {
    if (body.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(StoredTransaction.parseValue(key, body));
  }

  static String transactionBody(String key, String value) {
    StringWriter out = new StringWriter(value.length() + key.length() + 32);
    try (JsonWriter json = new JsonWriter(out)) {
      json.setHtmlSafe(false);
      json.beginObject().name("id").value(key).name("value").value(value).endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  private static HttpUrl commitUrl(HttpUrl base) {
    return base.newBuilder().addPathSegments("v1/transactions/commit").build();
  }

  private static HttpUrl transactionUrl(HttpUrl base, String key) {
    // The key alphabet needs no escaping, and ResilientDB would not un-escape it anyway.
    return base.newBuilder().addPathSegments("v1/transactions").addPathSegment(key).build();
  }

  // --- retries, failover and timeouts --------------------------------------------------------------

  private interface ResponseReader<T> {
    Outcome<T> read(HttpUrl url, Response response) throws IOException;
  }

  /** What one answer means: a result, a reason to try elsewhere, or a final failure. */
  private static final class Outcome<T> {
    final T value;
    final KvException retry;
    final KvException fail;

    private Outcome(T value, KvException retry, KvException fail) {
      this.value = value;
      this.retry = retry;
      this.fail = fail;
    }

    static <T> Outcome<T> success(T value) {
      return new Outcome<>(value, null, null);
    }

    static <T> Outcome<T> retry(KvException why) {
      return new Outcome<>(null, why, null);
    }

    static <T> Outcome<T> fail(KvException why) {
      return new Outcome<>(null, null, why);
    }
  }

  /**
   * Sends a request to the best endpoint, failing over on errors. An endpoint that has not answered after
   * {@link #HEDGE_AFTER} while another is free and healthy gets company: the same request goes there too,
   * and the first answer wins (reads are reads; a write of the same value twice is safe, as the
   * {@code KvStore} contract says). One endpoint that accepts connections and never answers then costs a
   * quarter of a second, not the read timeout. Each endpoint still carries one request at a time.
   */
  private <T> T execute(String what, long deadline, AtomicLong counter, Function<HttpUrl, Request> request,
      ResponseReader<T> reader) throws KvException {
    Set<EndpointPool.Endpoint> tried = new HashSet<>();
    List<KvException> failures = new ArrayList<>();
    int round = 0;
    for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
      if (attempt > 1 && System.nanoTime() - deadline >= 0) {
        break;
      }
      if (tried.size() == pool.size()) {
        sleep(backoff(round++));
        tried.clear();
      }
      EndpointPool.Endpoint first = pool.acquire(tried, acquireWait);
      java.util.concurrent.CompletionService<Attempt<T>> race = new java.util.concurrent.ExecutorCompletionService<>(hedging);
      List<Attempt<T>> running = new ArrayList<>();
      running.add(start(race, first, deadline, counter, request, reader));
      tried.add(first);
      Attempt<T> winner = null;
      int pending = 1;
      try {
        java.util.concurrent.Future<Attempt<T>> done = race.poll(HEDGE_AFTER.toNanos(), TimeUnit.NANOSECONDS);
        if (done == null) {
          EndpointPool.Endpoint second = pool.tryAcquireFresh(tried);
          if (second != null) {
            running.add(start(race, second, deadline, counter, request, reader));
            tried.add(second);
            pending++;
          }
          done = race.take();
        }
        while (true) {
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
          done = race.take();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KvUnavailableException("Interrupted while waiting for ResilientDB.", e);
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof KvException) {
          throw (KvException) e.getCause();
        }
        throw new IllegalStateException("A request failed unexpectedly", e.getCause());
      } finally {
        running.forEach(Attempt::cancel); // the slower one, if any, is abandoned and its endpoint released
      }
      // Told here, not by the attempts: a command's process may exit as soon as this operation returns.
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
    throw summarise(what, failures);
  }

  /** Gives a request up to {@code HEDGE_AFTER} before a second endpoint is asked too. */
  private static final Duration HEDGE_AFTER = Duration.ofMillis(250);

  /** One request to one endpoint, run on {@link #hedging}; releases the endpoint when done. */
  private static final class Attempt<T> {
    final EndpointPool.Endpoint endpoint;
    final java.util.concurrent.atomic.AtomicReference<Call> call = new java.util.concurrent.atomic.AtomicReference<>();
    volatile boolean cancelled;
    boolean served;
    Outcome<T> outcome;
    KvException problem;

    Attempt(EndpointPool.Endpoint endpoint) {
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

  private <T> Attempt<T> start(java.util.concurrent.CompletionService<Attempt<T>> race, EndpointPool.Endpoint endpoint,
      long deadline, AtomicLong counter, Function<HttpUrl, Request> request, ResponseReader<T> reader) {
    Attempt<T> a = new Attempt<>(endpoint);
    race.submit(() -> {
      try {
        Call call = client.newCall(request.apply(endpoint.url));
        a.call.set(call);
        if (a.cancelled) {
          call.cancel();
        }
        if (deadline != Long.MAX_VALUE) {
          long remaining = Math.max(1, deadline - System.nanoTime());
          long limit = Math.min(remaining, call.timeout().timeoutNanos());
          call.timeout().timeout(limit, TimeUnit.NANOSECONDS);
        }
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
            : new KvUnavailableException(endpoint.url + " failed: " + e, e);
      } finally {
        // One abandoned because another answered first was slower than a healthy one: it cools down too,
        // so the next requests go to the endpoint that answers.
        pool.release(endpoint, a.served);
      }
      return a;
    });
    return a;
  }

  private KvException summarise(String what, List<KvException> failures) {
    String details = failures.stream().map(Throwable::getMessage).distinct().collect(Collectors.joining("; "));
    String sentence = "Could not " + what + " on ResilientDB after " + failures.size()
        + (failures.size() == 1 ? " attempt" : " attempts") + " (" + details + ").";
    KvException last = failures.isEmpty() ? null : failures.get(failures.size() - 1);
    boolean allTimeouts = !failures.isEmpty() && failures.stream().allMatch(f -> f instanceof KvTimeoutException);
    return allTimeouts ? new KvTimeoutException(sentence, last) : new KvUnavailableException(sentence, last);
  }

  private long backoff(int round) {
    long base = options.retryBackoff().toNanos() << Math.min(round, 16);
    long capped = Math.min(base, MAX_BACKOFF.toNanos());
    // Full jitter between half and all of the step keeps clients that failed together from retrying together.
    return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
  }

  private static void sleep(long nanos) throws KvUnavailableException {
    if (nanos <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvUnavailableException("Interrupted while waiting for ResilientDB.", e);
    }
  }

  private StoreHealth.Endpoint probe(EndpointPool.Endpoint endpoint) {
    String name = endpoint.url.toString();
    EndpointPool.Endpoint borrowed;
    try {
      borrowed = pool.acquire(endpoint, options.readTimeout());
    } catch (KvException e) {
      return StoreHealth.Endpoint.down(name, e.getMessage());
    }
    boolean served = false;
    long start = System.nanoTime();
    Request request = new Request.Builder().url(transactionUrl(endpoint.url, HEALTH_PROBE_KEY)).get().build();
    try (Response response = client.newCall(request).execute()) {
      Duration rtt = Duration.ofNanos(System.nanoTime() - start);
      if (response.code() != 200) {
        return StoreHealth.Endpoint.down(name, "answered " + describeAnswer(response));
      }
      String body = readBody(response.body());
      served = true;
      return StoreHealth.Endpoint.up(name, rtt, body.isEmpty() ? "answered a read" : "answered a read with a value");
    } catch (ConnectException e) {
      return StoreHealth.Endpoint.down(name, "connection refused");
    } catch (InterruptedIOException e) {
      // The time actually waited: the connect and read timeouts are separate limits, not a sum.
      return StoreHealth.Endpoint.down(name, "no answer after " + seconds(Duration.ofMillis(
          (System.nanoTime() - start) / 100_000_000 * 100)) + " (read timeout " + seconds(options.readTimeout()) + ")");
    } catch (java.net.UnknownHostException e) {
      return StoreHealth.Endpoint.down(name, "unknown host " + endpoint.url.host());
    } catch (IOException e) {
      return StoreHealth.Endpoint.down(name, e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    } finally {
      pool.release(borrowed, served);
      suspects.record(endpoint.url, served);
    }
  }

  // --- bodies ---------------------------------------------------------------------------------------

  private static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
  }

  private static String readBody(ResponseBody body) throws IOException {
    BufferedSource source = body.source();
    if (source.request(MAX_BODY_BYTES + 1)) {
      throw new BodyTooLargeException();
    }
    return source.getBuffer().readUtf8();
  }

  /** "HTTP 500 get value fail", or "HTTP 502 and an HTML page", for messages. */
  private static String describeAnswer(Response response) throws IOException {
    String body;
    try {
      body = readBody(response.body()).strip();
    } catch (BodyTooLargeException e) {
      body = "";
    }
    String status = "HTTP " + response.code();
    if (body.isEmpty()) {
      return status;
    }
    if (body.startsWith("<")) {
      return status + " and an HTML page";
    }
    return status + " " + shorten(body);
  }

  private static long utf8Length(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length; // already within MAX_BODY_BYTES
  }

  private static String shorten(String text) {
    String oneLine = text.replaceAll("\\s+", " ");
    return oneLine.length() > 80 ? oneLine.substring(0, 80) + "…" : oneLine;
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : (d.toMillis() / 1000.0) + " s";
  }

  /** Builds a store; at least one endpoint is required. */
  public static final class Builder extends HttpStoreBuilder<Builder, ResilientDbStore> {
    private Builder() {}

    @Override
    protected String storeName() {
      return "A ResilientDB store";
    }

    @Override
    protected ResilientDbStore create() {
      return new ResilientDbStore(this);
    }
  }
}
