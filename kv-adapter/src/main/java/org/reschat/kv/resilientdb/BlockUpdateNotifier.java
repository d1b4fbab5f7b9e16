package org.reschat.kv.resilientdb;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.ListenerWatch;

/**
 * Change hints from ResilientDB's HTTP service, which sends the text {@code Update blocks} over the
 * WebSocket {@code /blockupdatelistener} after each transaction call it handles. An endpoint only knows of
 * the transactions sent through it, so a watch listens on every endpoint, and is {@linkplain Watch#live()
 * live} only while all of its sockets are open. A socket that closes is opened again with a growing pause;
 * when it is back, a hint covers what may have happened meanwhile. Any message counts as a hint: the text
 * names no key, so every hint may be spurious for the caller's prefix.
 */
final class BlockUpdateNotifier implements ChangeNotifier {
  private static final Duration FIRST_RETRY = Duration.ofMillis(250);
  private static final Duration MAX_RETRY = Duration.ofSeconds(5);

  private final List<HttpUrl> endpoints;
  private final OkHttpClient client;
  private final ScheduledExecutorService retries;
  private final Set<ListenerWatch> running = ListenerWatch.newOpenSet();

  BlockUpdateNotifier(List<HttpUrl> endpoints, OkHttpClient base) {
    this.endpoints = List.copyOf(endpoints);
    // A socket of its own, never a pooled KV connection, stays open as long as the watch: no read timeout,
    // and pings find a peer that vanished without closing.
    this.client = base.newBuilder()
        .connectionPool(new ConnectionPool())
        .readTimeout(Duration.ZERO)
        .callTimeout(Duration.ZERO)
        .pingInterval(Duration.ofSeconds(20))
        .build();
    this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "reschat-resilientdb-watch");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public Watch watch(String keyPrefix, Runnable onChange) {
    SocketWatch watch = new SocketWatch(changed -> onChange.run());
    running.add(watch);
    watch.start();
    return watch;
  }

  void closeAll() {
    ListenerWatch.closeAll(running);
    retries.shutdownNow();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  private final class SocketWatch extends ListenerWatch {
    private final List<Endpoint> sockets = new ArrayList<>();

    SocketWatch(java.util.function.Consumer<org.reschat.kv.Changed> onChange) {
      super(onChange, running);
      for (HttpUrl url : endpoints) {
        sockets.add(new Endpoint(url));
      }
    }

    void start() {
      sockets.forEach(Endpoint::connect);
    }

    @Override
    public boolean live() {
      return !closed() && sockets.stream().allMatch(e -> e.open);
    }

    @Override
    protected void stop() {
      for (Endpoint e : sockets) {
        e.open = false;
        WebSocket ws = e.socket;
        if (ws != null) {
          ws.cancel();
        }
      }
    }

    /** One endpoint's socket, replaced by a new attempt whenever it closes. */
    private final class Endpoint {
      private final HttpUrl url;
      private volatile WebSocket socket;
      private volatile boolean open;
      private boolean everOpened;
      private Duration retry = FIRST_RETRY;

      Endpoint(HttpUrl url) {
        this.url = url;
      }

      synchronized void connect() {
        if (closed()) {
          return;
        }
        Request request = new Request.Builder().url(url.newBuilder().addPathSegment("blockupdatelistener").build()).build();
        socket = client.newWebSocket(request, new Attempt());
      }

      private synchronized void lost(Attempt attempt) {
        if (closed() || attempt.socket != socket) {
          return; // an old attempt, or the watch is closed
        }
        open = false;
        Duration wait = retry;
        retry = ListenerWatch.doubled(retry, MAX_RETRY);
        try {
          retries.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // the store is closing
        }
      }

      /** Callbacks of one connection attempt. */
      private final class Attempt extends WebSocketListener {
        private WebSocket socket;

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
          boolean reopened;
          synchronized (Endpoint.this) {
            socket = webSocket;
            if (webSocket != Endpoint.this.socket) {
              webSocket.cancel();
              return;
            }
            open = true;
            retry = FIRST_RETRY;
            reopened = everOpened;
            everOpened = true;
          }
          if (reopened) {
            hint(); // something may have been committed while the socket was down
          }
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
          hint();
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
          webSocket.cancel(); // the service is going away; reconnect in onFailure
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
          socket = webSocket;
          lost(this);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
          socket = webSocket;
          lost(this);
        }
      }
    }
  }
}
