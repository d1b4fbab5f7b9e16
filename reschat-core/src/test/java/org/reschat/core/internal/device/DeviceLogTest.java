package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.reschat.core.internal.device.DeviceListTest.ALICE;
import static org.reschat.core.internal.device.DeviceListTest.LAPTOP;
import static org.reschat.core.internal.device.DeviceListTest.PHONE;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.reschat.core.FeedWarning;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * An identity's device list on a hostile ledger (protocol §15.2): a reader holding an entry never takes the
 * store's word for less (a rolled-back or replayed list), nor a second signed entry of the same number, and
 * what it kept stays in force; junk is skipped within a bound; a fresh reader finds the newest entry in
 * logarithmically many reads.
 */
class DeviceLogTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final DeviceLog log = new DeviceLog(store);
  private final DeviceList one = DeviceListTest.first();
  private final DeviceList two = one.adding(ALICE, PHONE);
  private final DeviceList three = two.revoking(ALICE, 1);

  @Test
  void theLedgerSeesAPageShapedValueAndOnlyTheCardOpensIt() throws Exception {
    log.publish(one);
    String key = DeviceLog.key(ALICE.card(), 1);
    assertThat(key).startsWith("rc2.").hasSize(4 + 22);
    String value = store.get(key).orElseThrow();
    assertThat(DeviceLog.open(ALICE.card(), 1, value)).contains(one);
    assertThat(DeviceLog.open(TestIdentities.named("bob").card(), 1, value)).isEmpty();
    assertThat(DeviceLog.open(ALICE.card(), 2, value)).isEmpty(); // the number is inside and the key in the seal
    assertThat(value).doesNotContain(org.reschat.core.internal.crypto.Base64Url.encode(LAPTOP.signingKey()));
  }

  @Test
  void aFreshReaderFindsTheNewestEntryInLogarithmicallyManyReads() throws Exception {
    DeviceList e = one;
    log.publish(e);
    for (int i = 2; i <= 40; i++) {
      e = i % 2 == 0 ? e.adding(ALICE, TestIdentities.named("device " + i).card()) : e.revoking(ALICE, e.linked().get(0).number());
      log.publish(e);
    }
    DeviceLog.Read read = new DeviceLog(new RecordingKvStore(store)).read(ALICE.card(), Optional.empty());
    assertThat(read.newest()).contains(e);
    assertThat(read.warnings()).isEmpty();
    assertThat(read.reads()).isLessThanOrEqualTo(2 * 6 + 2);
    assertThat(log.read(TestIdentities.named("bob").card(), Optional.empty()).newest()).isEmpty(); // no list: device 0 only
  }

  @Test
  void aReaderWithAnEntryReadsOnlyWhatFollowsAndChecksTheChain() throws Exception {
    log.publish(one);
    log.publish(two);
    log.publish(three);
    DeviceLog.Read read = log.read(ALICE.card(), Optional.of(one));
    assertThat(read.newest()).contains(three);
    assertThat(read.warnings()).isEmpty();
    assertThat(read.reads()).isEqualTo(4); // entry 1 again (still there?), 2, 3, and 4 (empty)
  }

  @Test
  void aRolledBackListIsReportedAndTheKeptEntryWins() throws Exception {
    log.publish(one);
    log.publish(two);
    log.publish(three); // the laptop (device 1) is revoked
    // The store serves the list as it was before the revocation: entry 3 gone (overwritten with the old entry 2,
    // re-sealed at entry 3's key by someone holding the card, which anyone may).
    store.put(DeviceLog.key(ALICE.card(), 3), reseal(two, 3));
    DeviceLog.Read read = log.read(ALICE.card(), Optional.of(three));
    assertThat(read.newest()).contains(three);
    assertThat(read.newest().orElseThrow().linked()).extracting(DeviceList.Device::number).containsExactly(2);
    assertThat(read.warnings()).extracting(FeedWarning::kind).containsExactly(Kind.ROLLBACK);
    assertThat(read.warnings().get(0).detail()).contains("rolled back");
    assertThat(read.contradicted()).isTrue();
    // Junk over it is a rollback too.
    store.put(DeviceLog.key(ALICE.card(), 3), "junk");
    assertThat(log.read(ALICE.card(), Optional.of(three)).warnings()).extracting(FeedWarning::kind).containsExactly(Kind.ROLLBACK);
  }

  @Test
  void anOldEntryReplayedAsANewOneIsNotTaken() throws Exception {
    log.publish(one);
    log.publish(two);
    log.publish(three);
    // entry 2 (the laptop still certified) replayed at entry 4's key: it says it is entry 2, so it is junk there
    store.put(DeviceLog.key(ALICE.card(), 4), reseal(two, 4));
    DeviceLog.Read read = log.read(ALICE.card(), Optional.of(three));
    assertThat(read.newest()).contains(three);
    assertThat(read.warnings()).extracting(FeedWarning::kind).containsExactly(Kind.CORRUPT);
    DeviceLog.Read fresh = log.read(ALICE.card(), Optional.empty());
    assertThat(fresh.newest()).contains(three);
  }

  /** {@code entry} sealed at the key of entry {@code n}: what anyone holding the card can write there. */
  private static String reseal(DeviceList entry, long n) throws Exception {
    java.lang.reflect.Method aad = DeviceLog.class.getDeclaredMethod("aad", String.class);
    aad.setAccessible(true);
    byte[] sealed = new org.reschat.core.internal.crypto.OneTimeKeyAead(DeviceLog.secret(ALICE.card()),
        "reschat/v3 device list".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .encrypt(org.reschat.core.internal.crypto.Padding.padToPadme(entry.encoded()),
            (byte[]) aad.invoke(null, DeviceLog.key(ALICE.card(), n)));
    byte[] out = new byte[1 + sealed.length];
    out[0] = 3;
    System.arraycopy(sealed, 0, out, 1, sealed.length);
    return org.reschat.core.internal.crypto.Base64Url.encode(out);
  }

  @Test
  void aSecondSignedEntryOfTheSameNumberIsEquivocationAndTheKeptOneWins() throws Exception {
    log.publish(one);
    log.publish(two);
    DeviceList otherTwo = one.adding(ALICE, TestIdentities.named("another phone").card());
    store.put(DeviceLog.key(ALICE.card(), 2), DeviceLog.seal(otherTwo));
    DeviceLog.Read read = log.read(ALICE.card(), Optional.of(two));
    assertThat(read.newest()).contains(two);
    assertThat(read.warnings()).extracting(FeedWarning::kind).containsExactly(Kind.EQUIVOCATION);
  }

  @Test
  void anEntryThatBreaksTheRulesBetweenEntriesIsReportedAndNotTaken() throws Exception {
    log.publish(one);
    log.publish(two);
    log.publish(three);
    DeviceList back = DeviceList.sign(ALICE, 4, three.hash(), List.of(three.devices().get(0),
        new DeviceList.Device(1, LAPTOP, 1, 0), three.devices().get(1)), List.of());
    log.publish(back);
    DeviceLog.Read read = log.read(ALICE.card(), Optional.of(three));
    assertThat(read.newest()).contains(three);
    assertThat(read.warnings()).singleElement().satisfies(w -> {
      assertThat(w.kind()).isEqualTo(Kind.EQUIVOCATION);
      assertThat(w.page()).isEqualTo(4);
      assertThat(w.writer()).isEqualTo(ALICE.card());
    });
  }

  @Test
  void junkOverAnEntryDoesNotHideTheEntriesAfterItAndReadsStayBounded() throws Exception {
    log.publish(one);
    log.publish(two);
    log.publish(three);
    store.put(DeviceLog.key(ALICE.card(), 2), "junk over entry 2");
    DeviceLog.Read read = log.read(ALICE.card(), Optional.of(one));
    assertThat(read.newest()).contains(three); // checked against entry 1 across the gap
    assertThat(read.warnings()).extracting(FeedWarning::kind).containsExactly(Kind.CORRUPT);
    for (int n = 4; n < 4 + 100; n++) {
      store.put(DeviceLog.key(ALICE.card(), n), "junk " + n);
    }
    RecordingKvStore counting = new RecordingKvStore(store);
    DeviceLog.Read bounded = new DeviceLog(counting).read(ALICE.card(), Optional.of(three));
    assertThat(bounded.newest()).contains(three);
    assertThat(counting.keysRead()).isLessThanOrEqualTo(1 + DeviceLog.MAX_SKIP + 1);
    // A fresh reader too: junk at every power of two is no entry, so the gallop stops at the first.
    for (long n = 1; n <= 1L << 30; n *= 2) {
      if (n > 3) {
        store.put(DeviceLog.key(ALICE.card(), n), "junk");
      }
    }
    RecordingKvStore fresh = new RecordingKvStore(store);
    assertThat(new DeviceLog(fresh).read(ALICE.card(), Optional.empty()).newest()).contains(three);
    assertThat(fresh.keysRead()).isLessThanOrEqualTo(4 + 2 + DeviceLog.MAX_SKIP + 1);
  }
}
