package org.reschat.kv.etcd;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSource;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.Changed;
import org.reschat.kv.ListenerWatch;

/**
 * etcd's watch through the JSON gateway: {@code POST /v3/watch} with a {@code create_request} on a key
 * range answers with a chunked stream of JSON objects, one per batch of events. Each watch keeps one such
 * stream open on a daemon thread. When the stream breaks (member killed, store closed) it reconnects to the
 * next member from the revision after the last one it saw, so a change made while it was away is still
 * reported once it is back.
 */
final class EtcdWatcher implements ChangeNotifier {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final Duration FIRST_RETRY = Duration.ofMillis(100);
  private static final Duration MAX_RETRY = Duration.ofSeconds(2);
  /**
   * The largest watch message read. With {@code fragment} set, etcd splits a revision's events into
   * messages of about its {@code --max-request-bytes} (1.5 MiB by default); one event of a value at the
   * 1 MiB cap is about 1.4 MiB of base64. Anything larger is a hostile or misconfigured endpoint.
   */
  static final long MAX_MESSAGE_BYTES = 4L * 1024 * 1024;

  private final EtcdStore store;
  private final OkHttpClient streaming;
  private final Set<ListenerWatch> running = ListenerWatch.newOpenSet();

  EtcdWatcher(EtcdStore store) {
    this.store = store;
    // A watch stream stays open for as long as the caller wants: no read or call timeout.
    this.streaming = store.client().newBuilder().readTimeout(Duration.ZERO).callTimeout(Duration.ZERO).build();
  }

  @Override
  public Watch watch(String keyPrefix, Runnable onChange) {
    java.util.Objects.requireNonNull(onChange, "onChange");
    return watchKeys(keyPrefix, changed -> onChange.run());
  }

  /** Names the keys of the watch events; unknown after a reconnect, a cancelled watch or a burst. */
  @Override
  public Watch watchKeys(String keyPrefix, java.util.function.Consumer<Changed> onChange) {
    StreamWatch watch = new StreamWatch(keyPrefix, onChange);
    running.add(watch);
    watch.thread.start();
    return watch;
  }

  /** The revision a watch would resume from after a broken stream (0: from now); for tests. */
  static long resumeRevision(Watch watch) {
    return ((StreamWatch) watch).nextRevision;
  }

  void closeAll() {
    ListenerWatch.closeAll(running);
  }

  /** The first key after every key that starts with {@code prefix}: etcd's {@code range_end} for a prefix. */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return java.util.Arrays.copyOf(end, i + 1);
      }
    }
    return new byte[] {0}; // no key is after every 0xff prefix: "\0" means "to the end" to etcd
  }

  private final class StreamWatch extends ListenerWatch {
    private final byte[] key;
    private final byte[] rangeEnd;
    private final Thread thread;
    private volatile boolean live;
    private volatile Call current;
    private volatile long nextRevision; // 0 until the first answer: "from now"
    private int member;

    StreamWatch(String keyPrefix, java.util.function.Consumer<Changed> onChange) {
      super(onChange, running);
      byte[] prefix = keyPrefix.getBytes(StandardCharsets.UTF_8);
      // An empty prefix watches every key: key "\0" with range_end "\0" means "every key from \0 on".
      this.key = prefix.length == 0 ? new byte[] {0} : prefix;
      this.rangeEnd = prefix.length == 0 ? new byte[] {0} : prefixEnd(prefix);
      this.thread = new Thread(this::run, "reschat-etcd-watch");
      thread.setDaemon(true);
    }

    @Override
    public boolean live() {
      return live;
    }

    @Override
    protected void stop() {
      live = false;
      Call call = current;
      if (call != null) {
        call.cancel();
      }
      thread.interrupt();
    }

    private void run() {
      Duration retry = FIRST_RETRY;
      while (!closed() && !store.closed()) {
        HttpUrl url = store.endpoints().get(member % store.endpoints().size());
        boolean sawAnswer = false;
        try {
          sawAnswer = stream(url);
        } catch (IOException | RuntimeException e) {
          // reconnect below
        }
        live = false;
        if (closed() || store.closed()) {
          return;
        }
        // Something may have changed while no stream was open and the revision may be compacted: hint.
        hint();
        member++;
        retry = sawAnswer ? FIRST_RETRY : ListenerWatch.doubled(retry, MAX_RETRY);
        try {
          TimeUnit.MILLISECONDS.sleep(retry.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** Reads one stream until it ends; true when the member answered at least once. */
    private boolean stream(HttpUrl url) throws IOException {
      JsonObject create = new JsonObject();
      create.addProperty("key", Base64.getEncoder().encodeToString(key));
      create.addProperty("range_end", Base64.getEncoder().encodeToString(rangeEnd));
      if (nextRevision > 0) {
        create.addProperty("start_revision", Long.toString(nextRevision));
      }
      create.addProperty("fragment", true); // a large revision comes in pieces of the cluster's request size
      JsonObject body = new JsonObject();
      body.add("create_request", create);
      Request request = new Request.Builder().url(url.resolve("/v3/watch"))
          .post(RequestBody.create(body.toString(), JSON)).build();
      Call call = streaming.newCall(request);
      current = call;
      if (closed()) {
        call.cancel();
      }
      boolean answered = false;
      try (Response response = call.execute()) {
        if (response.code() != 200) {
          return false;
        }
        BufferedSource source = response.body().source();
        while (!closed()) {
          String line = nextMessage(source);
          if (line == null) {
            return answered; // the stream ended
          }
          if (line.isBlank()) {
            continue;
          }
          JsonElement message;
          try {
            message = JsonParser.parseString(line);
          } catch (JsonParseException e) {
            return answered; // broken: reconnect
          }
          if (!message.isJsonObject() || !message.getAsJsonObject().has("result")) {
            return answered; // {"error": …}: reconnect
          }
          answered = true;
          if (!handle(message.getAsJsonObject().getAsJsonObject("result"))) {
            return true;
          }
        }
      }
      return answered;
    }

    /**
     * The next newline-ended message, or null at the end of the stream. A message longer than
     * {@link #MAX_MESSAGE_BYTES} is never buffered: the stream is dropped and the watch starts again from
     * now, after an unknown change (what it could not read may have named any key).
     */
    private String nextMessage(BufferedSource source) throws IOException {
      long end = source.indexOf((byte) '\n', 0, MAX_MESSAGE_BYTES);
      if (end < 0) {
        if (source.request(MAX_MESSAGE_BYTES)) {
          nextRevision = 0;
          throw new IOException("a watch message larger than " + (MAX_MESSAGE_BYTES >> 20) + " MiB");
        }
        return source.exhausted() ? null : source.readUtf8(); // a last message without its newline
      }
      String line = source.readUtf8(end);
      source.skip(1);
      return line;
    }

    /** Handles one watch response; false when etcd cancelled the watch and it must be created again. */
    private boolean handle(JsonObject result) {
      long revision = revision(result);
      if (result.has("created")) {
        boolean wasResumed = nextRevision > 0;
        live = true;
        if (!wasResumed && revision > 0) {
          nextRevision = revision + 1;
        }
        return true;
      }
      if (result.has("canceled")) {
        // Usually "required revision has been compacted": start again from now, after a hint.
        nextRevision = 0;
        return false;
      }
      if (result.has("events")) {
        long newest = 0;
        Set<String> keys = new java.util.HashSet<>();
        boolean unnamed = false;
        for (JsonElement event : result.getAsJsonArray("events")) {
          JsonElement kv = event.getAsJsonObject().get("kv");
          if (kv == null || !kv.isJsonObject()) {
            unnamed = true;
            continue;
          }
          JsonObject fields = kv.getAsJsonObject();
          if (fields.has("mod_revision")) {
            newest = Math.max(newest, fields.get("mod_revision").getAsLong());
          }
          if (!fields.has("key")) {
            unnamed = true;
            continue;
          }
          String key = decodeKey(fields.get("key").getAsString());
          if (key != null) {
            keys.add(key); // a key outside the safe alphabet is one no caller reads: not worth a re-read
          }
        }
        nextRevision = Math.max(nextRevision, Math.max(newest, revision) + 1);
        if (unnamed) {
          hint();
        } else {
          hintKeys(keys);
        }
      }
      return true;
    }

    /** The key an event names, or null when it is not a key of the safe alphabet. */
    private String decodeKey(String b64) {
      try {
        String key = new String(Base64.getDecoder().decode(b64), StandardCharsets.ISO_8859_1);
        return org.reschat.kv.KvKeys.isValid(key) ? key : null; // the alphabet is ASCII
      } catch (IllegalArgumentException e) {
        return null;
      }
    }

    private long revision(JsonObject result) {
      JsonObject header = result.getAsJsonObject("header");
      if (header == null || !header.has("revision")) {
        return 0;
      }
      return header.get("revision").getAsLong(); // a 64-bit number, sent as a string
    }
  }
}
