package org.reschat.benchmarks;

import org.reschat.core.ChatId;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.reschat.core.ChatClient;
import org.reschat.core.HistoryRequest;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.kv.KvStore;
import org.reschat.kv.StoreOptions;
import org.reschat.kv.resilientdb.ResilientDbStore;
import org.reschat.kv.testing.ResilientDbCluster;

/**
 * Loading a 30-page feed from ResilientDB endpoints that each answer after 100 ms (a WireMock fixed
 * delay), from 1 endpoint and from 3. The reader already holds the newest page (as after opening the
 * chat) and loads the 29 before it: pages are fetched in parallel, one request in flight per endpoint.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class ParallelLoadBenchmark {
  @Param({"1", "3"})
  public int endpoints;

  private ResilientDbCluster cluster;
  private KvStore store;
  private Identity alice;
  private Identity bob;
  private String newestPageJson;
  private Conversation bobsView;
  private ChatClient reader;

  @Setup(Level.Trial)
  public void ledger() throws Exception {
    cluster = ResilientDbCluster.start(endpoints);
    SecureRandom random = new SecureRandom();
    alice = Identity.generate(random);
    bob = Identity.generate(random);
    Conversation ab = Conversation.pair(alice, bob.card());
    bobsView = Conversation.pair(bob, alice.card());
    PageWriter writer = new PageWriter(ab);
    Page page = null;
    for (int i = 0; i < 30 * 20; i++) {
      Page next = writer.append(page, java.util.List.of(), PageBenchmarks.draft(i));
      if (page != null && next.number() != page.number()) {
        String key = ab.pageKey(ab.myFeed(), page.number());
        cluster.rawPut(key, body(key, Envelope.seal(ab, key, page)));
      }
      page = next;
    }
    String newestKey = ab.pageKey(ab.myFeed(), page.number());
    newestPageJson = Envelope.seal(ab, newestKey, page);
    cluster.rawPut(newestKey, body(newestKey, newestPageJson));
    cluster.nodes().forEach(n -> n.responseDelay(Duration.ofMillis(100)));
    store = ResilientDbStore.builder().endpoints(cluster.urls()).options(StoreOptions.defaults()).build();
  }

  /** What ResilientDbStore posts for a key, as the service stores it. */
  private static String body(String key, String value) {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("id", key);
    o.addProperty("value", value);
    return o.toString();
  }

  @Setup(Level.Invocation)
  public void readerHoldingTheNewestPage() {
    InMemoryLocalState state = new InMemoryLocalState();
    state.savePage(bobsView.feed(bobsView.indexOf(alice.card())), 30, newestPageJson);
    reader = ChatClient.builder().identity(bob).store(store).localState(state).build();
  }

  @Benchmark
  public int loadThirtyPages() throws Exception {
    int shown = reader.history(ChatId.direct(alice.card()), HistoryRequest.all()).messages().size();
    if (shown != 600) {
      throw new IllegalStateException("loaded " + shown + " messages, not 600");
    }
    return shown;
  }

  @TearDown(Level.Invocation)
  public void closeReader() {
    reader.close();
  }

  @TearDown(Level.Trial)
  public void stop() {
    store.close();
    cluster.close();
  }
}
