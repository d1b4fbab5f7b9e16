package org.reschat.kv.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.testing.InMemoryEndpointHealth;

/**
 * An etcd store shares a member that failed through an {@link org.reschat.kv.EndpointHealthMemory}, so the
 * next store starts at another member. Two loopback servers stand for members: one never answers, one
 * answers every range with "no such key". Asserted by which member received requests.
 */
class EtcdRememberedEndpointsTest {
  private final InMemoryEndpointHealth memory = new InMemoryEndpointHealth();
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger hangingRequests = new AtomicInteger();
  private final AtomicInteger healthyRequests = new AtomicInteger();
  private ExecutorService threads;
  private HttpServer hanging;
  private HttpServer healthy;

  @BeforeEach
  void start() throws IOException {
    threads = Executors.newCachedThreadPool();
    hanging = server(exchange -> {
      hangingRequests.incrementAndGet();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    healthy = server(exchange -> {
      healthyRequests.incrementAndGet();
      byte[] body = "{\"header\":{\"revision\":\"1\"}}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
  }

  private HttpServer server(com.sun.net.httpserver.HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", handler);
    server.setExecutor(threads);
    server.start();
    return server;
  }

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    hanging.stop(0);
    healthy.stop(0);
    threads.shutdownNow();
    threads.awaitTermination(5, TimeUnit.SECONDS);
  }

  private static HttpUrl url(HttpServer server) {
    return HttpUrl.get("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private EtcdStore store() {
    return EtcdStore.builder().endpoint(url(hanging)).endpoint(url(healthy)).healthMemory(memory)
        // The request time is capped at 3 s (EtcdStore.MAX_REQUEST_TIME): the widest the healthy member gets.
        .options(StoreOptions.builder().connectTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(2))
            .retryBackoff(Duration.ofMillis(10)).build())
        .build();
  }

  @Test
  void aSecondStoreSendsNothingToTheMemberTheFirstFoundHanging() throws Exception {
    try (EtcdStore first = store()) {
      assertThat(first.get("k")).isEmpty(); // the first member times out, the second answers
    }
    assertThat(hangingRequests.get()).as("the first store found the hanging member by asking it").isEqualTo(1);
    assertThat(memory.suspects()).containsOnlyKeys(url(hanging));

    try (EtcdStore second = store()) {
      for (int i = 0; i < 5; i++) {
        assertThat(second.get("k")).isEmpty();
      }
    }
    assertThat(hangingRequests.get()).as("requests to the hanging member, both stores").isEqualTo(1);
    assertThat(healthyRequests.get()).isEqualTo(6);
  }

  @Test
  void anAnswerFromARememberedMemberClearsIt() throws Exception {
    memory.recordFailure(url(healthy), java.time.Instant.now().plusSeconds(30));
    memory.recordFailure(url(hanging), java.time.Instant.now().plusSeconds(30));
    release.countDown(); // the "hanging" member answers at once now (an empty reply: a failure)
    try (EtcdStore store = store()) {
      assertThat(store.get("k")).isEmpty();
    }
    assertThat(memory.suspects()).containsOnlyKeys(url(hanging));
  }
}
