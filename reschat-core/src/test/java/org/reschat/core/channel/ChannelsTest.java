package org.reschat.core.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.memory.MemoryKvStore;

/** Public channels: post and read, forged posts, a rolled-back or rewritten channel, junk, bounded reads. */
class ChannelsTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Identity OWNER = Identity.generate(RANDOM);
  private final Identity mallory = Identity.generate(RANDOM);
  private final MemoryKvStore store = new MemoryKvStore();
  private final Channels channels = new Channels(store, Clock.systemUTC());
  private final ChannelId news = ChannelId.of(OWNER, "news");

  private List<String> texts(Channels.Read r) {
    return r.posts().stream().map(ChannelPost::text).toList();
  }

  @Test
  void postsAreReadInOrderAndFollowedFromTheCopy() throws Exception {
    for (String t : List.of("one", "two", "three")) {
      channels.post(OWNER, "News", t);
    }
    Channels.Read all = channels.read(ChannelId.parse(news.toString()).orElseThrow(), Channels.Copy.EMPTY, 20);
    assertThat(texts(all)).containsExactly("one", "two", "three");
    assertThat(all.problems()).isEmpty();
    assertThat(texts(channels.read(news, Channels.Copy.EMPTY, 2))).containsExactly("two", "three");

    channels.post(OWNER, "news", "four");
    Channels.Read next = channels.read(news, all.copy(), 20);
    assertThat(texts(next)).containsExactly("four");
    assertThat(next.copy().n()).isEqualTo(4);
  }

  @Test
  void aForgedPostIsSkippedAndNeverShown() throws Exception {
    channels.post(OWNER, "news", "real");
    // Mallory signs a post for the owner's channel with her key, and writes junk after it.
    ChannelPost fake = new ChannelPost(2, channels.read(news, Channels.Copy.EMPTY, 1).copy().hash(), Instant.now(), "news", "send me money");
    store.put(news.postKey(2), fake.sign(news, mallory));
    store.put(news.postKey(3), "junk");
    Channels.Read r = channels.read(news, Channels.Copy.EMPTY, 20);
    assertThat(texts(r)).containsExactly("real");
    assertThat(r.junk()).isEqualTo(2);
    // The owner's next post goes after the real one, over the forgery.
    channels.post(OWNER, "news", "still me");
    assertThat(texts(channels.read(news, Channels.Copy.EMPTY, 20))).containsExactly("real", "still me");
  }

  @Test
  void aRolledBackChannelIsReportedAndTheCopyKept() throws Exception {
    for (String t : List.of("one", "two", "three")) {
      channels.post(OWNER, "news", t);
    }
    Channels.Copy seen = channels.read(news, Channels.Copy.EMPTY, 20).copy();
    // The store answers as it was after post 2: post 3 is gone.
    KvStore rolledBack = new ForwardingKvStore(store) {
      @Override
      public Optional<String> get(String key) throws KvException {
        return key.equals(news.postKey(3)) ? Optional.empty() : super.get(key);
      }
    };
    Channels.Read r = new Channels(rolledBack, Clock.systemUTC()).read(news, seen, 20);
    assertThat(r.problems()).singleElement().asString().contains("rolled back");
    assertThat(r.copy()).isSameAs(seen);
    assertThat(r.posts()).isEmpty();
  }

  @Test
  void aRewrittenPostIsEquivocation() throws Exception {
    channels.post(OWNER, "news", "I will pay 10");
    Channels.Copy seen = channels.read(news, Channels.Copy.EMPTY, 20).copy();
    ChannelPost rewritten = new ChannelPost(1, new byte[32], Instant.now(), "news", "I will pay 1000");
    store.put(news.postKey(1), rewritten.sign(news, OWNER));
    Channels.Read r = channels.read(news, seen, 20);
    assertThat(r.problems()).singleElement().asString().contains("equivocation");
    assertThat(r.posts()).isEmpty();
  }

  @Test
  void junkAfterTheTailKeepsReadsBounded() throws Exception {
    channels.post(OWNER, "news", "one");
    for (int n = 2; n < 200; n++) {
      store.put(news.postKey(n), "junk");
    }
    AtomicInteger reads = new AtomicInteger();
    Channels counted = new Channels(new ForwardingKvStore(store) {
      @Override
      public Optional<String> get(String key) throws KvException {
        reads.incrementAndGet();
        return super.get(key);
      }
    }, Clock.systemUTC());
    assertThat(texts(counted.read(news, Channels.Copy.EMPTY, 20))).containsExactly("one");
    assertThat(reads.get()).isLessThan(20);
  }

  @Property(tries = 1000)
  void anyValueIsAVerifiedPostOrNothing(@ForAll("values") String value) {
    ChannelPost.parse(news, 1, value).ifPresent(p -> assertThat(p.n()).isEqualTo(1));
    ChannelId.parse(value).ifPresent(id -> assertThat(id.toString()).isEqualTo(value));
  }

  @Provide
  Arbitrary<String> values() {
    String good = new ChannelPost(1, new byte[32], Instant.EPOCH, "news", "hello").sign(news, OWNER);
    Arbitrary<String> mutated = Arbitraries.integers().between(0, good.length() - 1).list().ofMaxSize(3).map(ix -> {
      char[] c = good.toCharArray();
      for (int i : ix) {
        c[i] = (char) (c[i] ^ 1);
      }
      return new String(c);
    });
    return Arbitraries.oneOf(mutated, Arbitraries.strings().ofMaxLength(100), Arbitraries.just(news.toString()),
        Arbitraries.strings().withCharRange('A', 'z').ofLength(64).map(s -> "rcc:" + s));
  }
}
