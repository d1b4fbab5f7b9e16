package org.reschat.core.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.identity.Identity;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.memory.MemoryKvStore;

/** The directory: publish, look up, several claimants, forged cards and junk on the ledger. */
class DirectoryTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Instant T = Instant.parse("2026-11-23T01:00:00Z");
  private final Identity alice = Identity.generate(RANDOM);
  private final Identity mallory = Identity.generate(RANDOM);
  private final MemoryKvStore store = new MemoryKvStore();
  private final Directory directory = new Directory(store, Clock.fixed(T, ZoneOffset.UTC));

  @Test
  void aPublishedCardIsFoundByNameAndByFingerprint() throws Exception {
    directory.publish(alice, Optional.of("Alice"));
    Lookup found = directory.lookup("ALICE");
    assertThat(found.claimants()).containsExactly(new Claimant(alice.card(), "alice", T));
    assertThat(found.junk()).isZero();
    assertThat(directory.card(alice.card().fingerprint())).map(DirectoryRecord::card).contains(alice.card());
    assertThat(directory.lookup("bob").claimants()).isEmpty();
  }

  @Test
  void aCardPublishedWithoutANameIsOnlyFoundByFingerprint() throws Exception {
    AtomicInteger writes = new AtomicInteger();
    Directory counted = new Directory(new ForwardingKvStore(store) {
      @Override
      public void put(String key, String value) throws KvException {
        writes.incrementAndGet();
        super.put(key, value);
      }
    }, Clock.systemUTC());
    counted.publish(alice, Optional.empty());
    assertThat(directory.card(alice.card().fingerprint())).isPresent();
    assertThat(writes.get()).isEqualTo(1); // the card record, nothing else about her
  }

  @Test
  void twoPeopleClaimingOneNameAreBothReturned() throws Exception {
    directory.publish(alice, Optional.of("alice"));
    directory.publish(mallory, Optional.of("alice"));
    directory.publish(alice, Optional.of("alice")); // renewing does not add a slot
    assertThat(directory.lookup("alice").claimants()).extracting(Claimant::card).containsExactly(alice.card(), mallory.card());
  }

  @Test
  void aForgedCardAtSomeonesKeyIsRefused() throws Exception {
    directory.publish(alice, Optional.of("alice"));
    String key = Directory.cardKey(alice.card().fingerprint());
    // Mallory's own validly signed record, at Alice's key.
    store.put(key, new DirectoryRecord(DirectoryRecord.CARD, mallory.card(), "alice", true, T).sign(mallory));
    assertThat(directory.card(alice.card().fingerprint())).isEmpty();
    // Alice's card with Mallory's signature.
    String forged = new DirectoryRecord(DirectoryRecord.CARD, mallory.card(), "", false, T).sign(mallory)
        .replace(mallory.card().toString(), alice.card().toString());
    assertThat(DirectoryRecord.parse(forged)).isEmpty();
    store.put(key, forged);
    // Without a valid card record, Alice's claim no longer counts: nobody can withdraw or keep it for her.
    assertThat(directory.lookup("alice").claimants()).isEmpty();
  }

  @Test
  void claimingAnotherNameDropsTheOldClaim() throws Exception {
    directory.publish(alice, Optional.of("alice"));
    directory.publish(alice, Optional.of("alice2"));
    assertThat(directory.lookup("alice").claimants()).isEmpty();
    assertThat(directory.lookup("alice2").claimants()).extracting(Claimant::card).containsExactly(alice.card());
  }

  @Test
  void anUnpublishedClaimIsNoLongerReturned() throws Exception {
    directory.publish(alice, Optional.of("alice"));
    directory.unpublish(alice);
    assertThat(directory.lookup("alice").claimants()).isEmpty();
    assertThat(directory.card(alice.card().fingerprint())).isEmpty();
  }

  @Test
  void junkOnTheBoardIsSkippedAndReadsStayBounded() throws Exception {
    for (int slot = 0; slot < 5; slot++) {
      store.put(Directory.slotKey("alice", slot), slot == 2 ? "" : "junk " + slot);
    }
    directory.publish(alice, Optional.of("alice")); // reuses the first junk slot
    String replayed = store.get(Directory.slotKey("alice", 0)).orElseThrow();
    store.put(Directory.slotKey("alice", 5), replayed);
    Lookup found = directory.lookup("alice");
    assertThat(found.claimants()).extracting(Claimant::card).containsExactly(alice.card());
    assertThat(found.junk()).isEqualTo(4);

    for (int slot = 0; slot < 100; slot++) {
      store.put(Directory.slotKey("bob", slot), "junk");
    }
    AtomicInteger reads = new AtomicInteger();
    Directory counted = new Directory(new ForwardingKvStore(store) {
      @Override
      public Optional<String> get(String key) throws KvException {
        reads.incrementAndGet();
        return super.get(key);
      }
    }, Clock.systemUTC());
    assertThat(counted.lookup("bob").junk()).isEqualTo(Directory.MAX_SLOTS);
    assertThat(reads.get()).isEqualTo(Directory.MAX_SLOTS);
    // Junk cannot deny a name: nobody can sign it, so a claimant writes over it.
    directory.publish(alice, Optional.of("bob"));
    assertThat(directory.lookup("bob").claimants()).extracting(Claimant::card).containsExactly(alice.card());
  }

  @Test
  void aBoardOfValidClaimsIsFullAndSaysSo() throws Exception {
    for (int i = 0; i < Directory.MAX_SLOTS; i++) {
      directory.publish(Identity.generate(RANDOM), Optional.of("popular"));
    }
    assertThat(directory.lookup("popular").claimants()).hasSize(Directory.MAX_SLOTS);
    assertThatThrownBy(() -> directory.publish(alice, Optional.of("popular"))).isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("choose another");
  }

  @Test
  void namesAreNormalisedAndBadOnesRefused() {
    assertThat(Names.normalise(" ＡＬＩＣＥ ")).contains("alice");
    assertThat(Names.normalise("a/b")).isEmpty();
    assertThat(Names.normalise("")).isEmpty();
    assertThat(Names.normalise("x".repeat(33))).isEmpty();
    assertThat(Names.normalise("\u202Eecila")).isEmpty();
  }

  @Property(tries = 1000)
  void anyValueParsesToAVerifiedRecordOrNothing(@ForAll("values") String value) {
    DirectoryRecord.parse(value).ifPresent(r -> assertThat(r.card()).isIn(alice.card(), mallory.card()));
  }

  @Provide
  Arbitrary<String> values() {
    String good = new DirectoryRecord(DirectoryRecord.CLAIM, alice.card(), "alice", true, T).sign(alice);
    Arbitrary<String> mutated = Arbitraries.integers().between(0, good.length() - 1).list().ofMaxSize(3).map(ix -> {
      char[] c = good.toCharArray();
      for (int i : ix) {
        c[i] = (char) (c[i] ^ 1);
      }
      return new String(c);
    });
    return Arbitraries.oneOf(mutated, Arbitraries.strings().ofMaxLength(200), Arbitraries.just(good));
  }
}
