package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.ChatClient;
import org.reschat.core.Devices;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.feed.LedgerChatClient;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.testing.TestLedger;

/**
 * The self channel in slot records (protocol §15.6, §4.9's rule): once every device of the identity has shown it reads
 * records, each change is one signed record, read by the other devices as it is written (on memory, the embedded
 * ledger and a real three-member etcd cluster, skipped when etcd is not installed); a device that shows nothing
 * (a version before this) keeps every device on pages; a revoked device's record after its cut reaches nobody; what a
 * hostile ledger or sibling puts at a record key is not taken and crashes nothing.
 */
class SelfRecordsTest {
  @TempDir Path dir;
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private KvStore store;
  private TestLedger ledger;
  private TestClients clients;

  @AfterEach
  void close() {
    if (clients != null) {
      clients.close();
    }
    if (ledger != null) {
      ledger.close();
    }
  }

  private ChatClient phone(String kind) throws Exception {
    ledger = TestLedger.open(kind, dir);
    store = ledger.store();
    clients = new TestClients(store, clock);
    return client(alice, new InMemoryLocalState());
  }

  private ChatClient client(Identity id, InMemoryLocalState state) {
    return clients.client(id, state, () -> List.of(bob.card()));
  }

  private ChatClient link(ChatClient phone, String name) throws Exception {
    TestClients.Linked linked = clients.link(phone, name);
    return client(linked.identity(), linked.state());
  }

  /** Each device reads the self channel twice: it writes its notice at the first, and reads the others'. */
  private static void everyoneReads(ChatClient... devices) throws Exception {
    for (int round = 0; round < 2; round++) {
      for (ChatClient d : devices) {
        d.devices().fromOtherDevices();
      }
    }
  }

  /** {@code device} tells {@code "c<i>"} for i in [from, to), a second apart; returns what the others should get. */
  private List<String> tells(ChatClient device, int from, int to) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      clock.advance(java.time.Duration.ofSeconds(1));
      assertThat(device.devices().tellOtherDevices("FRIEND", ("c" + i).getBytes(StandardCharsets.UTF_8), null))
          .isTrue();
      out.add("FRIEND c" + i);
    }
    return out;
  }

  private static List<String> bodies(List<Devices.SelfChange> changes) {
    return changes.stream().map(c -> c.kind() + " " + new String(c.body(), StandardCharsets.UTF_8)).toList();
  }

  private static LedgerChatClient ledger(ChatClient c) {
    return (LedgerChatClient) c;
  }

  /** The self epoch {@code device} writes in, with its devices' feeds. */
  private static Conversation self(ChatClient device) throws Exception {
    return ledger(device).engine().withDevices(SelfChannel.current(ledger(device).identity(),
        ledger(device).engine().state()));
  }

  private boolean written(String key) throws Exception {
    return store.get(key).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite", "etcd"})
  void changesAreWrittenAsRecordsAndTheOtherDeviceReadsEachAsItIsWritten(String kind) throws Exception {
    ChatClient phone = phone(kind);
    ChatClient laptop = link(phone, "laptop");
    everyoneReads(phone, laptop);
    assertThat(bodies(laptop.devices().fromOtherDevices())).isEmpty();
    List<String> first = tells(phone, 0, 25); // page 1 was begun whole: it stays whole until full (§4.8)
    assertThat(bodies(laptop.devices().fromOtherDevices())).containsExactlyElementsOf(first);
    Conversation c = self(phone);
    FeedId phoneFeed = c.myFeed();
    assertThat(written(c.recordKey(phoneFeed, 2, 0))).as("page 2 is records").isTrue();
    assertThat(written(c.pageKey(phoneFeed, 2))).as("page 2 is not closed").isFalse();
    for (int i = 100; i < 103; i++) { // each as it is written
      assertThat(bodies(laptop.devices().fromOtherDevices())).isEmpty();
      assertThat(bodies(laptop.devices().fromOtherDevices())).isEmpty();
      List<String> one = tells(phone, i, i + 1);
      assertThat(bodies(laptop.devices().fromOtherDevices())).containsExactlyElementsOf(one);
    }
    // The other way too, past the page's close: every change once, in order.
    List<String> fromLaptop = tells(laptop, 200, 245);
    assertThat(bodies(phone.devices().fromOtherDevices())).containsExactlyElementsOf(fromLaptop);
    Conversation l = self(laptop);
    assertThat(written(l.recordKey(l.myFeed(), 2, 0))).isTrue();
    assertThat(written(l.pageKey(l.myFeed(), 2))).as("closed whole once full").isTrue();
    assertThat(written(l.recordKey(l.myFeed(), 3, 0))).isTrue();
    assertThat(bodies(phone.devices().fromOtherDevices())).isEmpty();
    // A device linked now reads every change from page 1, the closed record pages and the open one.
    ChatClient tablet = link(phone, "tablet");
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of("FRIEND c100", "FRIEND c101", "FRIEND c102"));
    all.addAll(fromLaptop);
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactlyElementsOf(all);
  }

  @Test
  void aDeviceThatShowsNothingKeepsEveryDeviceOnPages() throws Exception {
    ChatClient phone = phone("memory");
    ChatClient laptop = link(phone, "laptop");
    ledger(laptop).deviceEngine().showsRecords(false); // as a version before this: it writes no notice there
    everyoneReads(phone, laptop);
    List<String> changes = tells(phone, 0, 25);
    assertThat(bodies(laptop.devices().fromOtherDevices())).containsExactlyElementsOf(changes);
    Conversation c = self(phone);
    assertThat(written(c.pageKey(c.myFeed(), 2))).as("page 2 is a page").isTrue();
    assertThat(written(c.recordKey(c.myFeed(), 2, 0))).as("and no record").isFalse();
  }
  /** The index of the first record of page {@code n} of {@code feed} not at its key. */
  private int nextRecord(Conversation c, FeedId feed, long n) throws Exception {
    int i = 0;
    while (written(c.recordKey(feed, n, i))) {
      i++;
    }
    return i;
  }

  /** The feed of device {@code number} in {@code c}. */
  private static FeedId feedOf(Conversation c, int number) {
    return c.feeds().stream().filter(f -> c.deviceOf(f) == number).findFirst().orElseThrow();
  }

  @Test
  void aRevokedDevicesRecordAfterItsCutReachesNobodyAndItsRecordsBeforeDo() throws Exception {
    ChatClient phone = phone("memory");
    ChatClient laptop = link(phone, "laptop");
    ChatClient tablet = link(phone, "tablet");
    everyoneReads(phone, laptop, tablet);
    List<String> fromPhone = tells(phone, 300, 322); // the phone's page 2 is records too
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactlyElementsOf(fromPhone);
    List<String> before = tells(laptop, 0, 22); // its page 2 is records
    assertThat(bodies(phone.devices().fromOtherDevices())).containsExactlyElementsOf(before);
    Conversation l = self(laptop);
    int cut = nextRecord(l, l.myFeed(), 2);
    assertThat(cut).as("records of page 2 written before the revocation").isPositive();
    Conversation p = self(phone);
    int phoneNext = nextRecord(p, p.myFeed(), 2);
    phone.devices().revoke(1);
    // The device notice with the cut and SELF_ROTATE ride on the phone's signed records (as in a group, §4.9).
    assertThat(nextRecord(p, p.myFeed(), 2)).isEqualTo(phoneNext + 2);
    // The laptop has not read the revocation (its kept list is fresh): it writes on, a signed record in epoch 0.
    tells(laptop, 100, 101);
    assertThat(written(l.recordKey(l.myFeed(), 2, cut))).isTrue();
    assertThat(bodies(phone.devices().fromOtherDevices())).isEmpty();
    // The tablet had read none of the laptop's changes: those before the cut reach it, the one after does not.
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactlyElementsOf(before);
    phone.devices().tellOtherDevices("FRIEND", "from the phone".getBytes(StandardCharsets.UTF_8), null);
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactly("FRIEND from the phone");
    assertThat(self(tablet).id()).as("the tablet took the new epoch from the record").isEqualTo(self(phone).id())
        .isNotEqualTo(p.id());
  }

  @Test
  void aRecordASiblingSignedOrJunkAtThePhonesNextKeyIsNotTakenAndThePhoneWritesOverIt() throws Exception {
    ChatClient phone = phone("memory");
    ChatClient laptop = link(phone, "laptop");
    ChatClient tablet = link(phone, "tablet");
    everyoneReads(phone, laptop, tablet);
    List<String> first = tells(phone, 0, 22);
    assertThat(bodies(laptop.devices().fromOtherDevices())).containsExactlyElementsOf(first);
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactlyElementsOf(first);
    // The tablet, hostile, signs a change of its own after the phone's records and puts it at the phone's next key:
    // every device holds the channel's secret, so the envelope opens; the signature is not the phone's.
    Conversation asTablet = self(tablet);
    FeedId phoneFeed = feedOf(asTablet, 0);
    int next = nextRecord(asTablet, phoneFeed, 2);
    List<org.reschat.core.internal.page.SlotRecord> open = new ArrayList<>();
    for (int i = 0; i < next; i++) {
      String key = asTablet.recordKey(phoneFeed, 2, i);
      open.add(org.reschat.core.internal.page.RecordVerifier.openAndVerify(asTablet, phoneFeed, 2, i, key,
          store.get(key).orElseThrow()));
    }
    org.reschat.core.internal.page.SlotRecord forged = new org.reschat.core.internal.page.RecordWriter(asTablet)
        .append(2, null, open, List.of(), new org.reschat.core.internal.page.SlotSeal.Draft("SELF_FRIEND",
            clock.millis() + 1_000, new byte[0], "forged".getBytes(StandardCharsets.UTF_8))).orElseThrow();
    String key = asTablet.recordKey(phoneFeed, 2, next);
    store.put(key, org.reschat.core.internal.page.Envelope.seal(asTablet, key, forged));
    store.put(asTablet.recordKey(phoneFeed, 2, next + 1), "junk " + "x".repeat(5_000));
    Conversation atLaptop = SelfChannel.current(ledger(laptop).identity(), ledger(laptop).engine().state());
    org.reschat.core.Update u = ledger(laptop).engine().receive(atLaptop).update();
    assertThat(u.received()).isEmpty();
    assertThat(u.warnings()).extracting(org.reschat.core.FeedWarning::kind)
        .contains(org.reschat.core.FeedWarning.Kind.FORGED);
    assertThat(bodies(laptop.devices().fromOtherDevices())).isEmpty();
    List<String> honest = tells(phone, 100, 103);
    assertThat(bodies(laptop.devices().fromOtherDevices())).containsExactlyElementsOf(honest);
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactlyElementsOf(honest);
  }
  @Test
  void aDeviceLinkedMidPageThatHasNotReadYetDelaysNoneOfTheOpenRecordsAReaderFollowsAndNothingIsLost()
      throws Exception {
    ChatClient phone = phone("memory");
    ChatClient laptop = link(phone, "laptop");
    everyoneReads(phone, laptop);
    List<String> first = tells(phone, 0, 22);
    assertThat(bodies(laptop.devices().fromOtherDevices())).containsExactlyElementsOf(first);
    ChatClient tablet = link(phone, "tablet");
    List<String> more = tells(phone, 100, 102); // records of the page begun as records
    // The laptop counts the tablet from the phone's device notice on, and the tablet has shown nothing yet; the laptop
    // holds records of the phone's open page, so it keeps following them (§15.6): before, it waited for the tablet's
    // first read, and a tablet never opened held it back for good.
    assertThat(bodies(laptop.devices().fromOtherDevices())).containsExactlyElementsOf(more);
    List<String> all = new ArrayList<>(first);
    all.addAll(more);
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactlyElementsOf(all);
    assertThat(bodies(laptop.devices().fromOtherDevices())).isEmpty(); // once each
  }

  /**
   * Every device holds the self seed, so a sender tag (protocol §4.7) proves nothing here: a tagged record, even at the
   * tagging device's own key and under its own identity's tag key, is {@code FORGED} and not taken.
   */
  @Test
  void aTaggedRecordInTheSelfChannelIsForgedEvenAtTheWritersOwnKey() throws Exception {
    ChatClient phone = phone("memory");
    ChatClient laptop = link(phone, "laptop");
    everyoneReads(phone, laptop);
    List<String> first = tells(laptop, 0, 22); // the laptop's page 2 is records
    assertThat(bodies(phone.devices().fromOtherDevices())).containsExactlyElementsOf(first);
    Conversation asLaptop = self(laptop);
    int next = nextRecord(asLaptop, asLaptop.myFeed(), 2);
    List<org.reschat.core.internal.page.SlotRecord> open = new ArrayList<>();
    for (int i = 0; i < next; i++) {
      String key = asLaptop.recordKey(asLaptop.myFeed(), 2, i);
      open.add(org.reschat.core.internal.page.RecordVerifier.openAndVerify(asLaptop, asLaptop.myFeed(), 2, i, key,
          store.get(key).orElseThrow()));
    }
    Conversation tagging = asLaptop.withTails(new org.reschat.core.internal.conversation.TailRule(true, true, true));
    org.reschat.core.internal.page.SlotRecord tagged = new org.reschat.core.internal.page.RecordWriter(tagging)
        .append(2, null, open, List.of(), new org.reschat.core.internal.page.SlotSeal.Draft("SELF_FRIEND",
            clock.millis() + 1_000, new byte[0], "tagged".getBytes(StandardCharsets.UTF_8))).orElseThrow();
    String key = asLaptop.recordKey(asLaptop.myFeed(), 2, next);
    store.put(key, org.reschat.core.internal.page.Envelope.seal(asLaptop, key, tagged));
    Conversation atPhone = SelfChannel.current(ledger(phone).identity(), ledger(phone).engine().state());
    org.reschat.core.Update u = ledger(phone).engine().receive(atPhone).update();
    assertThat(u.received()).isEmpty();
    assertThat(u.warnings()).extracting(org.reschat.core.FeedWarning::kind)
        .contains(org.reschat.core.FeedWarning.Kind.FORGED);
    assertThat(bodies(phone.devices().fromOtherDevices())).isEmpty();
  }
}
