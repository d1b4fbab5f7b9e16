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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
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
import org.reschat.kv.http.Failover;
import org.reschat.kv.http.NoDelaySocketFactory;

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

  private final Failover failover;
  private final OkHttpClient client;
  private final StoreOptions options;
  private final Duration repostAfter;
  private final AtomicLong commitsSent = new AtomicLong();
  private final AtomicLong readsSent = new AtomicLong();
  private final BlockUpdateNotifier blockUpdates;

  private ResilientDbStore(Builder b) {
    this.failover = new Failover("ResilientDB", b.endpoints(), b.suspectEndpoints(), b.options(), true);
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
    this.blockUpdates = new BlockUpdateNotifier(b.endpoints(), options.connectTimeout());
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    KvKeys.requireValid(key);
    return read(key, failover.readDeadline());
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
          answers[i] = KvRead.of(read(key, failover.readDeadline())); // each key bounded as a get
        } catch (KvCorruptValueException e) {
          answers[i] = new KvRead.Corrupt(e.getMessage());
        } catch (KvException e) {
          failure.compareAndSet(null, e); // the others stop at their next key
        }
      }
    };
    List<java.util.concurrent.Future<?>> helpers = new ArrayList<>();
    try {
      for (int w = 1; w < Math.min(failover.size(), distinct.size()); w++) {
        helpers.add(failover.submit(() -> {
          worker.run();
          return null;
        }));
      }
      worker.run();
      for (java.util.concurrent.Future<?> helper : helpers) {
        helper.get();
      }
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
        throw new KvUnconfirmedException("ResilientDB accepted a write but still showed "
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
      failover.sleep(Math.min(poll.toNanos(), Failover.remaining(deadline)));
      poll = poll.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : poll.multipliedBy(2);
    }
  }

  @Override
  public String describe() {
    return "ResilientDB at " + failover.all().stream().map(e -> e.url.toString()).collect(Collectors.joining(", "));
  }

  @Override
  public StoreHealth health() {
    List<StoreHealth.Endpoint> results = new ArrayList<>();
    for (Failover.Endpoint endpoint : failover.all()) {
      results.add(probe(endpoint));
    }
    return new StoreHealth(describe(), results);
  }

  @Override
  public int maxConcurrentReads() {
    return failover.size();
  }

  /** Counts of HTTP requests this store has sent, for benchmarks and tests. */
  public RequestCounts requestCounts() {
    return new RequestCounts(commitsSent.get(), readsSent.get(), failover.failedRequests());
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
    failover.close();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  // --- the two routes ---------------------------------------------------------------------------

  private Optional<String> read(String key, long deadline) throws KvException {
    return execute("read from", deadline, readsSent,
        url -> new Request.Builder().url(transactionUrl(url, key)).get().build(),
        (url, response) -> {
          int code = response.code();
          if (code == 200) {
            String body;
            try {
              body = readBody(response.body());
            } catch (BodyTooLargeException e) {
              return Failover.Outcome.fail(KvValues.tooLarge(key, -1));
            }
            try {
              Optional<String> value = parseStoredValue(key, body);
              if (value.isPresent()) {
                KvValues.checkReadSize(key, utf8Length(value.get()));
              }
              return Failover.Outcome.success(value);
            } catch (KvCorruptValueException e) {
              return Failover.Outcome.fail(e);
            }
          }
          String answer = describeAnswer(response);
          if (code >= 400 && code < 500) {
            return Failover.Outcome.fail(new KvRejectedException("ResilientDB at " + url + " refused a read: " + answer + "."));
          }
          return Failover.Outcome.retry(new KvUnavailableException(url + " answered the read with " + answer));
        });
  }

  private void commit(String key, String body, long deadline) throws KvException {
    String expected = "id: " + key;
    execute("write to", deadline, commitsSent,
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
              return Failover.Outcome.success(null);
            }
            return Failover.Outcome.retry(new KvUnavailableException(url + " acknowledged the write with an answer naming another id"));
          }
          String answer = describeAnswer(response);
          if (code >= 400 && code < 500) {
            return Failover.Outcome.fail(new KvRejectedException("ResilientDB at " + url + " refused a write: " + answer + "."));
          }
          return Failover.Outcome.retry(new KvUnavailableException(url + " answered the write with " + answer));
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

  /** Sends one request through the shared failover: hedged, deadline-bound, one in flight per endpoint. */
  private <T> T execute(String what, long deadline, AtomicLong counter, Function<HttpUrl, Request> request,
      Failover.Reader<T> reader) throws KvException {
    return failover.execute(what, deadline, true, client, counter, request, reader);
  }

  private StoreHealth.Endpoint probe(Failover.Endpoint endpoint) {
    String name = endpoint.url.toString();
    Failover.Endpoint borrowed;
    try {
      borrowed = failover.acquire(endpoint, System.nanoTime() + options.readTimeout().toNanos());
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
      failover.release(borrowed, served);
      failover.record(endpoint, served);
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
