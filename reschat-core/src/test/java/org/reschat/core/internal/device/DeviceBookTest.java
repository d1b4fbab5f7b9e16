package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.reschat.core.internal.device.DeviceListTest.ALICE;
import static org.reschat.core.internal.device.DeviceListTest.PHONE;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.FeedWarning;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/** What a client keeps of other people's device lists, and how often it reads them (protocol §15.2). */
class DeviceBookTest {
  private final MemoryKvStore ledger = new MemoryKvStore();
  private final RecordingKvStore store = new RecordingKvStore(ledger);
  private final SettableClock clock = new SettableClock(java.time.Instant.ofEpochMilli(1_800_000_000_000L));
  private final Identity bob = TestIdentities.named("bob");
  private final InMemoryLocalState bobState = new InMemoryLocalState();
  private final DeviceBook bobsBook = new DeviceBook(bob, store, bobState, clock);
  private final DeviceBook alicesBook = new DeviceBook(ALICE, ledger, new InMemoryLocalState(), clock);

  @Test
  void aListIsReadOnceThenAtMostEveryTenMinutesUnlessForced() throws Exception {
    alicesBook.publish(DeviceListTest.first());
    assertThat(bobsBook.refresh(List.of(ALICE.card()), false)).isEmpty();
    assertThat(bobsBook.linked(ALICE.card())).extracting(DeviceList.Device::keys).containsExactly(DeviceListTest.LAPTOP);
    long reads = store.keysRead();
    alicesBook.publish(alicesBook.kept(ALICE.card()).orElseThrow().adding(ALICE, PHONE));
    clock.advance(java.time.Duration.ofMinutes(9));
    bobsBook.refresh(List.of(ALICE.card()), false);
    assertThat(store.keysRead()).isEqualTo(reads); // not due yet: nothing read
    assertThat(bobsBook.linked(ALICE.card())).hasSize(1);
    bobsBook.refresh(List.of(ALICE.card()), true); // a notice names a newer entry
    assertThat(bobsBook.linked(ALICE.card())).hasSize(2);
    clock.advance(java.time.Duration.ofMinutes(10));
    long before = store.keysRead();
    bobsBook.refresh(List.of(ALICE.card()), false);
    assertThat(store.keysRead()).isGreaterThan(before);
    // What it keeps is shared by every process of the profile: a second book on the same state is not due either.
    long now = store.keysRead();
    new DeviceBook(bob, store, bobState, clock).refresh(List.of(ALICE.card()), false);
    assertThat(store.keysRead()).isEqualTo(now);
  }

  @Test
  void aRolledBackListKeepsARevokedDeviceRevokedForAReaderWhoSawTheRevocation() throws Exception {
    DeviceList one = DeviceListTest.first();
    alicesBook.publish(one);
    DeviceList two = one.revoking(ALICE, 1);
    alicesBook.publish(two);
    bobsBook.refresh(List.of(ALICE.card()), false);
    assertThat(bobsBook.linked(ALICE.card())).isEmpty();
    ledger.put(DeviceLog.key(ALICE.card(), 2), "junk"); // the revocation hidden
    List<FeedWarning> warnings = bobsBook.refresh(List.of(ALICE.card()), true);
    assertThat(warnings).extracting(FeedWarning::kind).containsExactly(FeedWarning.Kind.ROLLBACK);
    assertThat(warnings.get(0).writer()).isEqualTo(ALICE.card());
    assertThat(bobsBook.linked(ALICE.card())).isEmpty();
    assertThat(bobsBook.kept(ALICE.card())).contains(two);
  }

  @Test
  void someoneWithoutAListHasDeviceZeroOnlyAndIsNotReadAgainForTenMinutes() throws Exception {
    assertThat(bobsBook.refresh(List.of(ALICE.card()), false)).isEmpty();
    assertThat(bobsBook.kept(ALICE.card())).isEmpty();
    long reads = store.keysRead();
    bobsBook.refresh(List.of(ALICE.card()), false);
    assertThat(store.keysRead()).isEqualTo(reads);
  }
}
