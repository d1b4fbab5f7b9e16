package org.reschat.cli.bench;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.Receiver;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.group.Group;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.KvRead;
import org.reschat.kv.KvStore;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * The receiving engine at scale: one person with 300 friends and 20 groups of 10, everyone else's pages
 * written straight to the store. Counts round trips and keys for an idle receive and for one new message,
 * times an idle receive against a store answering each round trip in 50 ms (etcd-like: a batch of up to 128
 * keys per round trip), and times a message from send to the follower's screen on the bench's store.
 */
final class EngineBench {
  static final int FRIENDS = 300;
  static final int GROUPS = 20;
  static final int GROUP_SIZE = 10;
  /** What etcd accepts in one transaction by default (--max-txn-ops). */
  static final int KEYS_PER_ROUND_TRIP = 128;

  private final SecureRandom random = new SecureRandom();

  /** The figures, into {@code out}; {@code store} is the bench's store for the push figure. */
  void run(KvStore store, Map<String, Number> out) throws Exception {
    Trips memory = new Trips(new MemoryKvStore(), Duration.ZERO);
    Population p = populate(memory);
    try (ChatClient alice = p.client(memory)) {
      alice.receiver().receive(Receiver.Scope.everything(), e -> { }); // caught up with everything
      memory.reset();
      alice.receiver().receive(Receiver.Scope.everything(), e -> { });
      out.put("receive_reads_idle_300", memory.trips.get());
      out.put("receive_keys_idle_300", memory.keys.get());

      p.another(memory, FRIENDS / 2);
      memory.reset();
      Receiver.Summary one = alice.receiver().receive(Receiver.Scope.everything(), e -> { });
      if (one.messages() != 1 || one.security()) {
        throw new IllegalStateException("expected one new message, found " + one);
      }
      out.put("receive_reads_after_one_300", memory.trips.get());
      keyed(alice, memory, p, out);
    }
    Trips slow = new Trips(memory.delegateStore(), Duration.ofMillis(50));
    try (ChatClient alice = p.client(slow)) {
      long start = System.nanoTime();
      alice.receiver().receive(Receiver.Scope.everything(), e -> { });
      out.put("receive_ms_300_at_50ms", Math.round((System.nanoTime() - start) / 1e6));
    }
    out.put("push_ms_300", push(store));
  }

  /**
   * Following on a store whose notifications name keys (memory, like etcd and the embedded store): the round
   * trips after one new message, and those an unrelated write elsewhere on the ledger costs.
   */
  private void keyed(ChatClient alice, Trips memory, Population p, Map<String, Number> out) throws Exception {
    java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
    try (Receiver.Subscription s = alice.receiver().follow(Receiver.Scope.everything(), Duration.ofHours(1),
        e -> {
          if (e instanceof Event.MessageReceived) {
            seen.incrementAndGet();
          }
        })) {
      waitFor(() -> s.passes() >= 1);
      long passes = s.passes();
      memory.reset();
      memory.put("rc2.bench-unrelated-" + random.nextInt(1_000_000), "someone else's value");
      waitFor(() -> s.passes() > passes);
      out.put("unrelated_write_reads_300", memory.trips.get());
      memory.reset();
      p.another(memory, FRIENDS / 3);
      waitFor(() -> seen.get() >= 1);
      out.put("receive_reads_after_one_keyed_300", memory.trips.get());
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the follower did not get there within a minute");
      }
      Thread.sleep(2);
    }
  }

  /** Milliseconds from a friend's send returning to the follower's listener, median of five. */
  private long push(KvStore store) throws Exception {
    Population p = populate(store);
    List<Long> ms = new ArrayList<>();
    try (ChatClient alice = p.client(store);
        ChatClient friend = ChatClient.builder().identity(p.friends.get(7)).store(store)
            .localState(new InMemoryLocalState()).build()) {
      alice.receiver().receive(Receiver.Scope.everything(), e -> { });
      AtomicLong arrived = new AtomicLong();
      CountDownLatch[] waiting = {new CountDownLatch(1)};
      try (Receiver.Subscription s = alice.receiver().follow(Receiver.Scope.everything(), Duration.ofSeconds(2),
          e -> {
            if (e instanceof Event.MessageReceived) {
              arrived.set(System.nanoTime());
              waiting[0].countDown();
            }
          })) {
        while (s.passes() < 1) {
          Thread.sleep(5);
        }
        for (int i = 0; i < 6; i++) {
          waiting[0] = new CountDownLatch(1);
          friend.send(ChatId.direct(p.alice.card()), Bench.HUNDRED);
          long sent = System.nanoTime();
          if (!waiting[0].await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a message was not shown within a minute");
          }
          if (i > 0) { // the first one warms up
            ms.add(Math.max(0, Math.round((arrived.get() - sent) / 1e6)));
          }
        }
      }
    }
    ms.sort(null);
    return ms.get(ms.size() / 2);
  }

  /** One person and everyone they talk to: pages of each friend to them, and of every group member. */
  private record Population(Identity alice, List<Identity> friends, InMemoryLocalState state,
      Map<Identity, Page> tails) {
    /** Friend {@code i} writes one more message, on their page as their client would (extending it). */
    void another(KvStore store, int i) throws Exception {
      Identity f = friends.get(i);
      Conversation c = Conversation.pair(f, alice.card());
      Page next = new PageWriter(c).append(tails.get(f), List.of(), new SlotSeal.Draft("TEXT",
          System.currentTimeMillis(), new byte[0], Bench.HUNDRED.getBytes(StandardCharsets.UTF_8)));
      put(store, c, next);
      tails.put(f, next);
    }

    /** A client of this person on {@code store}, with the state their groups were made in. */
    ChatClient client(KvStore store) {
      List<PublicCard> cards = friends.stream().map(Identity::card).toList();
      return ChatClient.builder().identity(alice).store(store).localState(state).contacts(() -> cards).build();
    }
  }

  private Population populate(KvStore store) throws Exception {
    Identity alice = Identity.generate(random);
    List<Identity> friends = new ArrayList<>();
    Map<Identity, Page> tails = new java.util.concurrent.ConcurrentHashMap<>();
    for (int i = 0; i < FRIENDS; i++) {
      Identity f = Identity.generate(random);
      friends.add(f);
      tails.put(f, write(store, f, alice.card(), 3));
    }
    InMemoryLocalState state = new InMemoryLocalState();
    List<PublicCard> cards = friends.stream().map(Identity::card).toList();
    try (ChatClient a = ChatClient.builder().identity(alice).store(store).localState(state).contacts(() -> cards)
        .build()) {
      for (int g = 0; g < GROUPS; g++) {
        List<Identity> members = friends.subList(g * (GROUP_SIZE - 1), (g + 1) * (GROUP_SIZE - 1));
        Group group = Bench.groups(a).create("group " + g, members.stream().map(Identity::card).toList());
        for (Identity m : members) {
          Conversation c = Group.conversation(m, group.current());
          put(store, c, page(c, 3));
        }
      }
    }
    return new Population(alice, friends, state, tails);
  }

  /** {@code writer}'s page of {@code messages} messages to {@code to}, written as their client would. */
  private static Page write(KvStore store, Identity writer, PublicCard to, int messages) throws Exception {
    Conversation c = Conversation.pair(writer, to);
    Page page = page(c, messages);
    put(store, c, page);
    return page;
  }

  private static Page page(Conversation c, int messages) throws Exception {
    PageWriter w = new PageWriter(c);
    Page page = null;
    for (int i = 0; i < messages; i++) {
      page = w.append(page, List.of(), new SlotSeal.Draft("TEXT", System.currentTimeMillis() + i, new byte[0],
          Bench.HUNDRED.getBytes(StandardCharsets.UTF_8)));
    }
    return page;
  }

  private static void put(KvStore store, Conversation c, Page page) throws KvException {
    String key = c.pageKey(c.myFeed(), page.number());
    store.put(key, Envelope.seal(c, key, page));
  }

  /** Counts round trips and keys; with a latency, waits it per round trip (a batch of 128 keys is one). */
  private static final class Trips extends ForwardingKvStore {
    final AtomicLong trips = new AtomicLong();
    final AtomicLong keys = new AtomicLong();
    private final Duration latency;

    Trips(KvStore delegate, Duration latency) {
      super(delegate);
      this.latency = latency;
    }

    KvStore delegateStore() {
      return delegate();
    }

    void reset() {
      trips.set(0);
      keys.set(0);
    }

    @Override
    public Optional<String> get(String key) throws KvException {
      trips.incrementAndGet();
      keys.incrementAndGet();
      pause(1);
      return delegate().get(key);
    }

    @Override
    public Map<String, KvRead> getAll(Collection<String> batch) throws KvException {
      int rounds = (batch.size() + KEYS_PER_ROUND_TRIP - 1) / KEYS_PER_ROUND_TRIP;
      trips.addAndGet(rounds);
      keys.addAndGet(batch.size());
      pause(rounds);
      return delegate().getAll(batch);
    }

    private void pause(int rounds) {
      if (!latency.isZero()) {
        try {
          Thread.sleep(latency.toMillis() * rounds);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
