package org.reschat.kv.etcd;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.HttpStoreBuilder;
import org.reschat.kv.KvKeys;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvRejectedException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;
import org.reschat.kv.KvValues;
import org.reschat.kv.PutIfUnchanged;
import org.reschat.kv.StoreHealth;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.http.Failover;
import org.reschat.kv.http.NoDelaySocketFactory;

/**
 * A {@link KvStore} on an etcd v3 cluster, through etcd's JSON gateway ({@code /v3/...} on the client
 * port, 2379 by default). No gRPC: three routes (put, range, txn) and base64.
 *
 * <p>The wire facts this relies on (checked against etcd 3.4.23):
 * <ul>
 *   <li>{@code POST /v3/kv/put {"key": b64, "value": b64}} answers 200 once Raft has committed the write,
 *       so unlike ResilientDB there is nothing to read back. Keys and values are standard, padded base64.</li>
 *   <li>{@code POST /v3/kv/range {"key": b64}} is linearizable; a missing key has no {@code kvs}, and an
 *       empty value has no {@code value} (the gateway omits default values).</li>
 *   <li>{@code POST /v3/kv/txn {"compare": [{"key", "result": "EQUAL", "target": "VALUE", "value"}],
 *       "success": [{"request_put": …}], "failure": [{"request_range": …}]}} compares and writes in one
 *       request; the answer's {@code succeeded} is omitted when false, and {@code responses} then holds the
 *       range. A compare of a key's {@code VALUE} fails when the key does not exist, so "absent" is
 *       compared as {@code CREATE} revision 0.</li>
 *   <li>A request over the cluster's {@code --max-request-bytes} is a 400 "request is too large" (or a
 *       429 from the gRPC size limit): the value can never be stored, so it is {@link KvRejectedException}.</li>
 *   <li>Without a quorum, or while a new leader is elected, etcd holds a request for about 7 s and then
 *       answers 503. This store gives each request a shorter client-side timeout and tries the next
 *       endpoint, so callers hear {@link KvUnavailableException} or {@link KvTimeoutException} in bounded
 *       time. A put that failed that way may still be applied later, which the {@link KvStore} contract
 *       allows.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} stops watches and releases the OkHttp client.
 */
public final class EtcdStore implements KvStore {
  /** The longest one request may take: below etcd's own 7 s, so a stalled member is left in time. */
  static final Duration MAX_REQUEST_TIME = Duration.ofSeconds(3);

  private static final MediaType JSON = MediaType.get("application/json");
  /** The largest answer read: one value at the cap, base64-encoded, in its JSON envelope. */
  private static final long MAX_BODY_BYTES = 2L * 1024 * 1024;
  /** The largest transaction answer read; a larger one is asked again in halves. */
  static final long MAX_TXN_BODY_BYTES = 8L * 1024 * 1024;
  /** etcd's default {@code --max-txn-ops}: the most operations one transaction may hold. */
  static final int OPS_PER_TXN = 128;
  private static final String TOO_MANY_OPS = "too many operations in txn request";

  private final List<HttpUrl> endpoints;
  private final Failover failover;
  private final OkHttpClient client;
  private final StoreOptions options;
  private final AtomicLong puts = new AtomicLong();
  private final AtomicLong ranges = new AtomicLong();
  private final AtomicLong txns = new AtomicLong();
  private final AtomicLong conditionalPuts = new AtomicLong();
  /** Ranges per transaction: etcd's default {@code --max-txn-ops}, lowered if a cluster refuses it. */
  private final java.util.concurrent.atomic.AtomicInteger opsPerTxn = new java.util.concurrent.atomic.AtomicInteger(OPS_PER_TXN);
  private final EtcdWatcher watcher;
  private volatile boolean closed;

  private EtcdStore(Builder b) {
    this.endpoints = List.copyOf(b.endpoints());
    this.options = b.options();
    this.failover = new Failover("etcd", endpoints, b.suspectEndpoints(), options, false);
    Duration request = shorter(options.connectTimeout().plus(options.readTimeout()), MAX_REQUEST_TIME);
    OkHttpClient base = b.baseClient();
    this.client = base.newBuilder()
        .connectTimeout(shorter(options.connectTimeout(), request))
        .readTimeout(request)
        .writeTimeout(request)
        .callTimeout(request)
        .retryOnConnectionFailure(false) // retries are ours: they move to another member
        .socketFactory(new NoDelaySocketFactory())
        .followRedirects(false)
        .build();
    this.watcher = new EtcdWatcher(this);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<String> get(String key) throws KvException {
    KvKeys.requireValid(key);
    JsonObject request = new JsonObject();
    request.addProperty("key", b64(key));
    JsonObject answer;
    try {
      answer = call("read from", "v3/kv/range", request, ranges, MAX_BODY_BYTES, failover.readDeadline(), true);
    } catch (AnswerTooLarge e) {
      throw KvValues.tooLarge(key, -1);
    }
    return rangeValue(key, answer);
  }

  /**
   * Ranges of up to {@link #OPS_PER_TXN} keys in one {@code /v3/kv/txn} each (a read-only transaction is
   * linearizable, like a range, and answers in the order asked). A transaction's answer larger than
   * {@link #MAX_TXN_BODY_BYTES} is asked again in halves, so large values cost round trips, never an
   * unbounded buffer; a cluster run with a smaller {@code --max-txn-ops} is met by halving too.
   */
  @Override
  public Map<String, KvRead> getAll(Collection<String> keys) throws KvException {
    keys.forEach(KvKeys::requireValid);
    List<String> distinct = List.copyOf(new LinkedHashSet<>(keys));
    Map<String, KvRead> out = new LinkedHashMap<>();
    int from = 0;
    while (from < distinct.size()) {
      int size = Math.min(opsPerTxn.get(), distinct.size() - from);
      from += readBatch(distinct.subList(from, from + size), out);
    }
    return out;
  }

  /** Reads a prefix of {@code keys} into {@code out} in one transaction; returns how many keys it read. */
  private int readBatch(List<String> keys, Map<String, KvRead> out) throws KvException {
    if (keys.size() == 1) {
      String key = keys.get(0);
      try {
        out.put(key, KvRead.of(get(key)));
      } catch (KvCorruptValueException e) {
        out.put(key, new KvRead.Corrupt(e.getMessage()));
      }
      return 1;
    }
    JsonArray success = new JsonArray();
    for (String key : keys) {
      JsonObject range = new JsonObject();
      range.addProperty("key", b64(key));
      JsonObject op = new JsonObject();
      op.add("request_range", range);
      success.add(op);
    }
    JsonObject request = new JsonObject();
    request.add("success", success);
    JsonObject answer;
    try {
      answer = call("read from", "v3/kv/txn", request, txns, MAX_TXN_BODY_BYTES, failover.readDeadline(), true);
    } catch (AnswerTooLarge e) {
      return readBatch(keys.subList(0, keys.size() / 2), out);
    } catch (KvRejectedException e) {
      if (e.getMessage().contains(TOO_MANY_OPS)) {
        opsPerTxn.accumulateAndGet(keys.size() / 2, Math::min);
        return readBatch(keys.subList(0, keys.size() / 2), out);
      }
      throw e;
    }
    JsonElement responses = answer.get("responses");
    if (responses == null || !responses.isJsonArray() || responses.getAsJsonArray().size() != keys.size()) {
      throw new KvUnavailableException("etcd answered a read of " + keys.size() + " keys without an answer for each.");
    }
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      try {
        JsonElement range = responses.getAsJsonArray().get(i).getAsJsonObject().get("response_range");
        if (range == null || !range.isJsonObject()) {
          throw new KvCorruptValueException(key, "etcd answered the read with an unexpected shape");
        }
        out.put(key, KvRead.of(rangeValue(key, range.getAsJsonObject())));
      } catch (KvCorruptValueException e) {
        out.put(key, new KvRead.Corrupt(e.getMessage()));
      } catch (IllegalStateException e) {
        out.put(key, new KvRead.Corrupt(new KvCorruptValueException(key,
            "etcd answered the read with an unexpected shape").getMessage()));
      }
    }
    return keys.size();
  }

  /** The value in one range answer for {@code key}: the same checks for {@link #get} and {@link #getAll}. */
  private static Optional<String> rangeValue(String key, JsonObject answer) throws KvCorruptValueException {
    JsonElement kvs = answer.get("kvs");
    if (kvs == null || kvs.isJsonNull()) {
      return Optional.empty();
    }
    try {
      JsonArray list = kvs.getAsJsonArray();
      if (list.isEmpty()) {
        return Optional.empty();
      }
      JsonElement value = list.get(0).getAsJsonObject().get("value");
      if (value == null) {
        return Optional.of(""); // the gateway omits an empty value, as it omits every default
      }
      String encoded = value.getAsString();
      int padding = encoded.endsWith("==") ? 2 : encoded.endsWith("=") ? 1 : 0;
      KvValues.checkReadSize(key, encoded.length() / 4L * 3 - padding); // before decoding
      return Optional.of(utf8(key, Base64.getDecoder().decode(encoded)));
    } catch (IllegalStateException | IllegalArgumentException | UnsupportedOperationException e) {
      throw new KvCorruptValueException(key, "etcd answered the read with an unexpected shape: " + e.getMessage());
    }
  }

  @Override
  public void put(String key, String value) throws KvException {
    KvKeys.requireValid(key);
    KvValues.requireValid(value);
    JsonObject request = new JsonObject();
    request.addProperty("key", b64(key));
    request.addProperty("value", Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
    try {
      call("write to", "v3/kv/put", request, puts, MAX_BODY_BYTES,
          System.nanoTime() + options.confirmTimeout().toNanos(), false);
    } catch (AnswerTooLarge e) {
      throw new KvUnavailableException("etcd answered the write of key " + key + " with more than "
          + (MAX_BODY_BYTES >> 20) + " MiB.");
    }
  }

  /**
   * One {@code /v3/kv/txn}: if the key's value is {@code expected} (or, for an empty expectation, the key
   * has never been created: its create revision is 0), put; otherwise range the key, in the same
   * transaction, so the refusal carries what the key holds. One round trip, atomic and linearizable. The
   * request carries both values, so together they must fit the cluster's {@code --max-request-bytes}
   * (1.5 MiB by default; a page is at most 64 KiB), else it is {@link KvRejectedException}. Like a put it is
   * not hedged; a retry on another member after a lost answer finds {@code value} there and says so.
   */
  @Override
  public PutIfUnchanged putIfUnchanged(String key, Optional<String> expected, String value) throws KvException {
    KvKeys.requireValid(key);
    KvValues.requireValid(value);
    expected.ifPresent(KvValues::requireValid);
    JsonObject compare = new JsonObject();
    compare.addProperty("key", b64(key));
    compare.addProperty("result", "EQUAL");
    if (expected.isPresent()) {
      compare.addProperty("target", "VALUE");
      compare.addProperty("value", b64(expected.get()));
    } else {
      compare.addProperty("target", "CREATE");
      compare.addProperty("create_revision", "0"); // a key never written, or deleted, has none
    }
    JsonObject put = new JsonObject();
    put.addProperty("key", b64(key));
    put.addProperty("value", b64(value));
    JsonObject range = new JsonObject();
    range.addProperty("key", b64(key));
    JsonObject request = new JsonObject();
    request.add("compare", one(compare));
    request.add("success", one(op("request_put", put)));
    request.add("failure", one(op("request_range", range)));
    JsonObject answer;
    try {
      answer = call("write to", "v3/kv/txn", request, conditionalPuts, MAX_BODY_BYTES,
          System.nanoTime() + options.confirmTimeout().toNanos(), false);
    } catch (AnswerTooLarge e) {
      return PutIfUnchanged.refused(new KvRead.Corrupt(KvValues.tooLarge(key, -1).getMessage()));
    }
    JsonElement succeeded = answer.get("succeeded");
    if (succeeded != null && succeeded.isJsonPrimitive() && succeeded.getAsBoolean()) {
      return PutIfUnchanged.written(value);
    }
    try {
      JsonElement current = answer.getAsJsonArray("responses").get(0).getAsJsonObject().get("response_range");
      if (current == null || !current.isJsonObject()) {
        throw new IllegalStateException("no range in the failed branch");
      }
      return PutIfUnchanged.refused(KvRead.of(rangeValue(key, current.getAsJsonObject())));
    } catch (KvCorruptValueException e) {
      return PutIfUnchanged.refused(new KvRead.Corrupt(e.getMessage()));
    } catch (RuntimeException e) {
      // Neither written nor a current value: the write may or may not have happened, as after a lost answer.
      throw new KvUnavailableException("etcd answered a conditional write of key " + key + " with an unexpected shape.");
    }
  }

  private static JsonArray one(JsonElement element) {
    JsonArray array = new JsonArray();
    array.add(element);
    return array;
  }

  private static JsonObject op(String name, JsonObject request) {
    JsonObject op = new JsonObject();
    op.add(name, request);
    return op;
  }

  @Override
  public String describe() {
    return "etcd at " + endpoints.stream().map(HttpUrl::toString).collect(Collectors.joining(", "));
  }

  /** Each member's {@code /health}, its version, and whether it is the leader. */
  @Override
  public StoreHealth health() {
    List<StoreHealth.Endpoint> results = new ArrayList<>();
    for (HttpUrl url : endpoints) {
      results.add(probe(url));
    }
    return new StoreHealth(describe(), results);
  }

  @Override
  public int maxConcurrentReads() {
    return 4 * endpoints.size(); // etcd serves concurrent requests on one connection (HTTP keep-alive pool)
  }

  @Override
  public Optional<ChangeNotifier> changes() {
    return Optional.of(watcher);
  }

  /** How many puts, ranges and transactions this store has sent (each attempt counts), for benchmarks and tests. */
  public RequestCounts requestCounts() {
    return new RequestCounts(puts.get(), ranges.get(), txns.get(), conditionalPuts.get());
  }

  /**
   * Requests sent so far: {@code POST /v3/kv/put}, {@code /v3/kv/range}, {@code /v3/kv/txn} of read batches, and
   * {@code /v3/kv/txn} of {@link #putIfUnchanged}.
   */
  public record RequestCounts(long puts, long ranges, long txns, long conditionalPuts) {
    /** Every request, of every kind. */
    public long total() {
      return puts + ranges + txns + conditionalPuts;
    }
  }

  @Override
  public void close() {
    closed = true;
    watcher.closeAll();
    failover.close();
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  List<HttpUrl> endpoints() {
    return endpoints;
  }

  OkHttpClient client() {
    return client;
  }

  boolean closed() {
    return closed;
  }

  // --- requests, failover ---------------------------------------------------------------------------

  /**
   * Sends one JSON request through the shared failover, moving to the next member after a refused
   * connection, a timeout or a 5xx, until {@link StoreOptions#maxAttempts()} requests have failed or the
   * deadline passed. A 4xx is final: another member would refuse it too. Reads are hedged; a put is not
   * (a second copy would be a second revision, and etcd answers a put in milliseconds).
   */
  private JsonObject call(String what, String path, JsonObject body, AtomicLong counter, long maxBody, long deadline,
      boolean hedge) throws KvException {
    String json = body.toString();
    String act = what.startsWith("write") ? "a write" : "a read";
    return failover.execute(what, deadline, hedge, client, counter,
        url -> new Request.Builder().url(url.newBuilder().addPathSegments(path).build())
            .post(RequestBody.create(json, JSON)).build(),
        (url, response) -> {
          String text;
          try {
            text = readBody(response.body().source(), maxBody);
          } catch (AnswerTooLarge e) {
            return Failover.Outcome.fail(e); // the member answered; every member would answer the same
          }
          int code = response.code();
          if (code == 200) {
            try {
              return Failover.Outcome.success(parseObject(url, text));
            } catch (KvUnavailableException e) {
              return Failover.Outcome.retry(e); // an answer that is not etcd's JSON
            }
          }
          if (text.contains("database space exceeded")) {
            // Every member refuses until an operator frees space: final, and the store's fault, not the request's.
            return Failover.Outcome.fail(new KvUnavailableException("etcd at " + url + " refuses every write: its "
                + "database has reached its quota, so an operator must compact and defragment it and disarm the "
                + "NOSPACE alarm (README, etcd)."));
          }
          if (tooLarge(code, text)) {
            return Failover.Outcome.fail(new KvRejectedException("etcd at " + url + " refused " + act
                + ": it is larger than the cluster's --max-request-bytes allows."));
          }
          if (code >= 400 && code < 500 && code != 404 && code != 408 && code != 429) {
            return Failover.Outcome.fail(new KvRejectedException("etcd at " + url + " refused " + act
                + ": HTTP " + code + " " + errorMessage(text).replaceAll("[.\\s]+$", "") + "."));
          }
          return Failover.Outcome.retry(new KvUnavailableException(url + " answered HTTP " + code + " " + errorMessage(text)));
        });
  }

  private StoreHealth.Endpoint probe(HttpUrl url) {
    String name = url.toString();
    if (closed) {
      return StoreHealth.Endpoint.down(name, "the store is closed");
    }
    long start = System.nanoTime();
    try (Response response = client.newCall(new Request.Builder().url(url.resolve("/health")).get().build()).execute()) {
      Duration rtt = Duration.ofNanos(System.nanoTime() - start);
      String text = readBody(response.body().source());
      JsonElement health = response.code() == 200 ? parseObject(url, text).get("health") : null;
      if (health == null || !"true".equals(health.getAsString())) {
        // A member whose database is full reports itself unhealthy: its status says why.
        return StoreHealth.Endpoint.down(name, "unhealthy: HTTP " + response.code() + " " + shorten(text) + role(url));
      }
      return StoreHealth.Endpoint.up(name, rtt, "healthy" + role(url));
    } catch (ConnectException e) {
      return StoreHealth.Endpoint.down(name, "connection refused");
    } catch (InterruptedIOException e) {
      return StoreHealth.Endpoint.down(name, "no answer within " + millis(client.callTimeoutMillis()));
    } catch (IOException | RuntimeException e) {
      return StoreHealth.Endpoint.down(name, e.getMessage());
    }
  }

  /**
   * ", leader, etcd 3.4.23, database 1.2 MiB of a 2.0 GiB quota" from the member's own status and
   * metrics, with a warning when the database is at 80 % of its quota or full (etcd then refuses every
   * write until it is compacted, defragmented and its NOSPACE alarm disarmed); empty when it cannot say.
   */
  private String role(HttpUrl url) {
    Request request = new Request.Builder().url(url.resolve("/v3/maintenance/status"))
        .post(RequestBody.create("{}", JSON)).build();
    String role;
    boolean full;
    try (Response response = client.newCall(request).execute()) {
      JsonObject status = parseObject(url, readBody(response.body().source()));
      String member = status.getAsJsonObject("header").get("member_id").getAsString();
      String leader = status.get("leader").getAsString();
      role = (member.equals(leader) ? ", leader" : ", follower") + ", etcd " + status.get("version").getAsString();
      full = status.has("errors") && status.get("errors").toString().contains("NOSPACE");
    } catch (IOException | RuntimeException e) {
      return "";
    }
    return role + space(url, full);
  }

  /** The database's size against its quota, from {@code /metrics}; empty when the member does not say. */
  private String space(HttpUrl url, boolean full) {
    double size = -1;
    double quota = -1;
    try (Response response = client.newCall(new Request.Builder().url(url.resolve("/metrics")).get().build()).execute()) {
      for (String line : readBody(response.body().source()).split("\n")) {
        if (line.startsWith("etcd_mvcc_db_total_size_in_bytes ")) {
          size = Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
        } else if (line.startsWith("etcd_server_quota_backend_bytes ")) {
          quota = Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
        }
      }
    } catch (IOException | RuntimeException e) {
      // no metrics: say nothing of space
    }
    String text = size >= 0 && quota > 0 ? ", database " + bytes(size) + " of a " + bytes(quota) + " quota" : "";
    if (full) {
      return text + "; FULL: etcd refuses every write (its NOSPACE alarm is raised); compact and defragment it, "
          + "then disarm the alarm (README, etcd)";
    }
    if (size >= 0 && quota > 0 && size >= NEARLY_FULL * quota) {
      return text + "; nearly full: once full, etcd refuses every write, so compact and defragment it or raise "
          + "--quota-backend-bytes (README, etcd)";
    }
    return text;
  }

  /** The share of its quota past which {@code store check} warns. */
  static final double NEARLY_FULL = 0.8;

  private static String bytes(double n) {
    return n >= 1 << 30 ? String.format(java.util.Locale.ROOT, "%.1f GiB", n / (1 << 30))
        : n >= 1 << 20 ? String.format(java.util.Locale.ROOT, "%.1f MiB", n / (1 << 20))
        : String.format(java.util.Locale.ROOT, "%.0f KiB", n / 1024);
  }

  // --- encoding --------------------------------------------------------------------------------------

  static String b64(String key) {
    return Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  private static String utf8(String key, byte[] bytes) throws KvCorruptValueException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new KvCorruptValueException(key, "the stored bytes are not UTF-8 text");
    }
  }

  static JsonObject parseObject(HttpUrl url, String text) throws KvUnavailableException {
    try {
      JsonElement parsed = JsonParser.parseString(text);
      if (parsed.isJsonObject()) {
        return parsed.getAsJsonObject();
      }
    } catch (JsonParseException e) {
      // reported below
    }
    throw new KvUnavailableException(url + " answered with something other than an etcd JSON object: " + shorten(text));
  }

  private static boolean tooLarge(int code, String text) {
    return (code == 400 && text.contains("request is too large"))
        || code == 413
        || (code == 429 && text.contains("larger than max"));
  }

  /** The gateway's {@code {"error": …, "message": …, "code": n}}, as its message. */
  private static String errorMessage(String text) {
    try {
      JsonElement message = JsonParser.parseString(text).getAsJsonObject().get("message");
      if (message != null) {
        return shorten(message.getAsString());
      }
    } catch (RuntimeException e) {
      // not the gateway's error shape
    }
    return shorten(text);
  }

  static String readBody(BufferedSource source) throws IOException {
    return readBody(source, MAX_BODY_BYTES);
  }

  /** The answer, or {@link AnswerTooLarge} without buffering more than {@code max} bytes. */
  static String readBody(BufferedSource source, long max) throws IOException {
    if (source.request(max + 1)) {
      throw new AnswerTooLarge();
    }
    return source.getBuffer().readUtf8();
  }

  /** An answer over the bound: never buffered whole, never retried elsewhere (every member holds the same). */
  static final class AnswerTooLarge extends KvException {
    private static final long serialVersionUID = 1L;

    AnswerTooLarge() {
      super("etcd's answer is larger than this client reads at once.", null);
    }
  }

  private static String shorten(String text) {
    String oneLine = text.strip().replaceAll("\\s+", " ");
    return oneLine.length() > 100 ? oneLine.substring(0, 100) + "…" : oneLine;
  }

  private static String millis(long ms) {
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }

  private static Duration shorter(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Builds a store; at least one endpoint is required. */
  public static final class Builder extends HttpStoreBuilder<Builder, EtcdStore> {
    private Builder() {}

    @Override
    protected String storeName() {
      return "An etcd store";
    }

    @Override
    protected EtcdStore create() {
      return new EtcdStore(this);
    }
  }
}
