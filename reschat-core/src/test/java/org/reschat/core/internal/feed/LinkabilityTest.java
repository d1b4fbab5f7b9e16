package org.reschat.core.internal.feed;

import org.reschat.core.testing.Bytes;
import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * What the ledger tells someone who holds every public card and reads every key and value: that values
 * exist, and their bucketed sizes. Not who wrote a value, which values belong together, when a message was
 * sent, or how long it is.
 */
class LinkabilityTest {
  private final List<Identity> people = List.of(TestIdentities.named("alice"), TestIdentities.named("bob"),
      TestIdentities.named("carol"), TestIdentities.named("dave"));
  private static final long SENT_AT = 1_750_000_123_456L;

  private static Clock fixed() {
    return Clock.fixed(Instant.ofEpochMilli(SENT_AT), ZoneOffset.UTC);
  }

  @Test
  void withEveryCardAnObserverCanVerifyNothingAndLinkNothing() throws Exception {
    MemoryKvStore memory = new MemoryKvStore();
    RecordingKvStore store = new RecordingKvStore(memory);
    Identity alice = people.get(0);
    Identity bob = people.get(1);
    Identity carol = people.get(2);
    Identity dave = people.get(3);
    org.reschat.core.testing.SettableClock clock = new org.reschat.core.testing.SettableClock(Instant.ofEpochMilli(SENT_AT));
    try (ChatClient a = client(alice, store, clock); ChatClient b = client(bob, store, clock);
        ChatClient c = client(carol, store, clock); ChatClient d = client(dave, store, clock)) {
      for (int i = 0; i < 25; i++) {
        a.send(ChatId.direct(bob.card()), "alice to bob " + i);
        b.send(ChatId.direct(alice.card()), "bob to alice " + i);
        c.send(ChatId.direct(dave.card()), "carol to dave " + i);
        a.send(ChatId.direct(carol.card()), "alice to carol " + i);
      }
      clock.advance(org.reschat.core.internal.requests.MessageRequests.MAX_DELAY.plusMinutes(1));
      for (ChatClient x : List.of(a, b, c, d)) {
        x.requests().pending(List.of()); // a later call posts the requests the first messages queued
      }
    }
    Map<String, String> ledger = new java.util.LinkedHashMap<>(); // every version of every value, by a unique name
    java.util.Set<String> keys = new java.util.TreeSet<>();
    for (RecordingKvStore.Call call : store.takeCalls()) {
      if (call.wrote()) {
        keys.add(call.key());
      }
    }
    // Four feeds of two pages each (25 messages per feed), and the message requests first contact posts (to Dave
    // and Carol, who never wrote; none between Alice and Bob, who both did, whoever wrote first). Those
    // are the one thing a holder of a card can find: that its owner was asked this month, never by whom
    // (the values below hold no card and verify under none).
    java.time.YearMonth month = java.time.YearMonth.from(fixed().instant().atZone(ZoneOffset.UTC));
    java.util.Set<String> inboxes = new java.util.TreeSet<>();
    for (Identity p : people) {
      inboxes.add(org.reschat.core.internal.requests.Inbox.board(p.card(), month).key(1));
    }
    assertThat(keys.stream().filter(k -> !inboxes.contains(k))).hasSize(4 * 2);
    assertThat(keys.stream().filter(inboxes::contains)).hasSize(2);
    for (String key : keys) {
      List<org.reschat.kv.KvVersion> versions = memory.history(key);
      for (int i = 0; i < versions.size(); i++) {
        ledger.put(key + "#" + i, versions.get(i).value());
      }
    }
    byte[] stamp = ByteBuffer.allocate(8).putLong(SENT_AT).array();
    for (Map.Entry<String, String> e : ledger.entrySet()) {
      byte[] raw = Base64Url.decode(e.getValue()).orElseThrow();
      for (Identity p : people) {
        PublicCard card = p.card();
        for (byte[] secretish : List.of(card.signingKey(), card.encryptionKey(), card.fingerprint())) {
          assertThat(Bytes.indexOf(raw, java.util.Arrays.copyOf(secretish, 8))).isNegative();
          assertThat(e.getKey()).doesNotContain(Base64Url.encode(secretish).substring(0, 8));
        }
        // Try the signature where a page's would be, and over every plausible split: nothing verifies.
        for (int sigAt = 0; sigAt + 64 <= raw.length; sigAt += 1 + (raw.length / 50)) {
          byte[] sig = java.util.Arrays.copyOfRange(raw, sigAt, sigAt + 64);
          assertThat(card.verify(java.util.Arrays.copyOf(raw, sigAt), sig)).isFalse();
        }
        assertThat(card.verify(java.util.Arrays.copyOf(raw, raw.length - 64),
            java.util.Arrays.copyOfRange(raw, raw.length - 64, raw.length))).isFalse();
      }
      assertThat(Bytes.indexOf(raw, stamp)).as("a timestamp in clear").isNegative();
      assertThat(Bytes.indexOf(raw, "TEXT".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).as("a type in clear")
          .isNegative();
      assertThat(e.getKey()).matches("rc2\\.[A-Za-z0-9_-]{22}#[0-9]+");
    }
    // Keys carry no common prefix per feed or conversation that would group them.
    List<String> prefixes = new ArrayList<>();
    keys.forEach(k -> prefixes.add(k.substring(4, 8)));
    assertThat(prefixes).doesNotHaveDuplicates();
  }

  private ChatClient client(Identity id, org.reschat.kv.KvStore store, Clock clock) {
    return ChatClient.builder().identity(id).store(store).clock(clock).inMemoryState().build();
  }
}
