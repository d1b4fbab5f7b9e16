package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.ReadsRecord;
import org.reschat.core.FeedWarning;
import org.reschat.core.Update;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.RecordVerifier;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvStores;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.EtcdClusterExtension;

/**
 * A group's open pages written as signed slot records (protocol §4.9), end to end through the group API: once every
 * device of every member has read the epoch (and so written its notice), each message is one signed record at its
 * own key and the page is written whole when it closes; the others read the records as they come and see every
 * message once, the notices never. On memory, the embedded ledger and a real etcd cluster (skipped where etcd is not
 * installed).
 */
class GroupRecordsTest {
  @RegisterExtension
  static final EtcdClusterExtension etcdCluster = new EtcdClusterExtension(3);
  @TempDir Path dir;
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final Identity d = TestIdentities.named("dave");
  private KvStore store;
  private TestClients clients;
  private ChatClient alice;
  private ChatClient bob;
  private ChatClient carol;

  @AfterEach
  void close() {
    if (clients != null) {
      clients.close();
      store.close();
    }
  }

  private void open(String kind) throws Exception {
    store = switch (kind) {
      case "etcd" -> KvStores.open(etcdCluster.cluster().storeSpec());
      case "sqlite" -> EmbeddedStore.open(dir.resolve("ledger.db"));
      default -> new MemoryKvStore();
    };
    clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
    alice = clients.client(a);
    bob = clients.client(b);
    carol = clients.client(c);
  }

  /** Alice creates "trip" with Bob and Carol, who take the invitation; nobody has read the group yet. */
  private Group trip() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
    bob.update(ChatId.direct(a.card()));
    carol.update(ChatId.direct(a.card()));
    return g;
  }

  private static Group seenBy(ChatClient who, Group g) throws Exception {
    return TestClients.groups(who).find(g.id()).orElseThrow();
  }

  private static List<String> update(ChatClient who, Group g) throws Exception {
    return texts(TestClients.groups(who).update(seenBy(who, g)).received());
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text).toList();
  }

  private static List<String> sends(ChatClient who, Group g, int from, int to) throws Exception {
    List<String> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      TestClients.groups(who).send(seenBy(who, g), "m" + i);
      out.add("m" + i);
    }
    return out;
  }

  /** Alice's feed in {@code g}'s current epoch, as {@code who} names it. */
  private Conversation epoch(Identity who, Group g) {
    return Group.conversation(who, g.current());
  }

  /** Each member reads the group (and writes its notice there), then Alice reads the others' notices. */
  private void everyoneShowsRecords(Group g) throws Exception {
    for (ChatClient m : List.of(bob, carol, alice)) {
      TestClients.groups(m).update(seenBy(m, g));
    }
  }

  private boolean written(String key) throws Exception {
    return store.get(key).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "sqlite", "etcd"})
  void aGroupOfThreeWritesEachMessageAsOneSignedRecordAndThePageWholeWhenItCloses(String kind) throws Exception {
    open(kind);
    Group g = trip();
    everyoneShowsRecords(g);
    Conversation mine = epoch(a, g);
    // Alice's page 1 holds her notice, begun whole: it stays whole until full, and records start at page 2 (§4.8).
    List<String> first = sends(alice, g, 0, 19);
    assertThat(written(mine.pageKey(mine.myFeed(), 1))).isTrue();
    assertThat(update(bob, g)).containsExactlyElementsOf(first);

    List<String> three = sends(alice, g, 19, 22);
    for (int i = 0; i < 3; i++) {
      String key = mine.recordKey(mine.myFeed(), 2, i);
      String value = store.get(key).orElseThrow();
      assertThat(RecordVerifier.openAndVerify(epoch(b, g), epoch(b, g).feed(epoch(b, g).indexOf(a.card())), 2, i, key,
          value).isTagged()).as("record %d is signed", i).isFalse();
    }
    assertThat(written(mine.pageKey(mine.myFeed(), 2))).as("the open page is not written whole").isFalse();
    assertThat(update(bob, g)).containsExactlyElementsOf(three);
    List<String> all = new ArrayList<>(first);
    all.addAll(three);
    assertThat(update(carol, g)).containsExactlyElementsOf(all);

    List<String> rest = sends(alice, g, 22, 39);
    assertThat(written(mine.pageKey(mine.myFeed(), 2))).as("the page closed, signed, at its key").isTrue();
    assertThat(update(bob, g)).containsExactlyElementsOf(rest);
    all.addAll(rest);
    for (ChatClient m : List.of(alice, bob, carol)) {
      List<Message> history = TestClients.groups(m).history(seenBy(m, g), HistoryRequest.all()).messages();
      assertThat(texts(history)).as("history of %s", m == alice ? "alice" : m == bob ? "bob" : "carol").containsExactlyElementsOf(all);
      assertThat(history).extracting(Message::type).doesNotContain(ReadsRecord.TYPE);
      assertThat(TestClients.groups(m).history(seenBy(m, g), HistoryRequest.all()).warnings()).isEmpty();
    }
  }

  @Test
  void aSendOnAnOpenRecordPageSealsOnlyItsRecord() throws Exception {
    open("memory");
    Group g = trip();
    everyoneShowsRecords(g);
    sends(alice, g, 0, 19); // Alice's page 1, begun whole with her notice, fills; page 2 begins as records
    List<Long> seals = new ArrayList<>();
    List<Long> signatures = new ArrayList<>();
    for (int i = 19; i < 44; i++) { // across a page boundary
      long before = org.reschat.core.internal.page.Envelope.seals();
      long signed = org.reschat.core.internal.identity.KeyMaterial.signatures();
      sends(alice, g, i, i + 1);
      seals.add(org.reschat.core.internal.page.Envelope.seals() - before);
      signatures.add(org.reschat.core.internal.identity.KeyMaterial.signatures() - signed);
    }
    // Before: two seals a send in a group (its record, and the whole page again for the outbox, as a direct chat's
    // before QueuedRecords: the outbox took a group's epoch for one whose tags were withdrawn), three at a page's end.
    assertThat(seals).as("envelopes sealed by each send").containsOnly(1L, 2L).containsOnlyOnce(2L);
    // Before: two signatures a send (its record, and the open page signed whole, thrown away until it closed): the
    // page is signed once, by the send that fills it (issue 24).
    assertThat(signatures).as("signatures made by each send").containsOnly(1L, 2L).containsOnlyOnce(2L);
    assertThat(signatures.indexOf(2L)).as("the send that fills the page signs it").isEqualTo(seals.indexOf(2L));
    assertThat(update(bob, g)).hasSize(19 + 25);
  }

  /** {@code writer}'s records of page {@code n} at indices below {@code count}, as {@code reader} opens them. */
  private List<SlotRecord> recordsOf(Identity writer, Identity reader, Group g, long n, int count) throws Exception {
    Conversation c = epoch(reader, g);
    FeedId feed = c.feed(c.indexOf(writer.card()));
    List<SlotRecord> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = c.recordKey(feed, n, i);
      out.add(RecordVerifier.openAndVerify(c, feed, n, i, key, store.get(key).orElseThrow()));
    }
    return out;
  }

  /** A record {@code signer} signs after {@code open} (of page 2), holding {@code text}. */
  private SlotRecord recordBy(Identity signer, Group g, List<SlotRecord> open, String text) throws Exception {
    return new RecordWriter(epoch(signer, g).withTails(TailRule.groupEpoch(true))).append(2, null, open, List.of(),
        new SlotSeal.Draft(Message.TEXT, 1_800_000_100_000L, new byte[0],
            text.getBytes(java.nio.charset.StandardCharsets.UTF_8))).orElseThrow();
  }

  /** {@code r} sealed under {@code g}'s current epoch at {@code key}, as any member can. */
  private String sealed(Group g, String key, SlotRecord r) {
    return Envelope.seal(epoch(a, g), key, r);
  }

  /** Alice's page 1 (her notice and 19 messages) read by Bob and Carol, and {@code records} of page 2 written. */
  private Group aliceOnRecords(int records) throws Exception {
    Group g = trip();
    everyoneShowsRecords(g);
    sends(alice, g, 0, 19 + records);
    update(bob, g);
    update(carol, g);
    return g;
  }

  private static List<FeedWarning.Kind> kinds(Update u) {
    return u.warnings().stream().map(FeedWarning::kind).toList();
  }

  @Test
  void aMemberOnAClientWithoutRecordsKeepsEveryoneWritingPages() throws Exception {
    open("memory");
    TestClients.groups(carol).showsRecords(false); // as a client of before group records: it writes no notice
    Group g = trip();
    everyoneShowsRecords(g);
    List<String> all = sends(alice, g, 0, 25);
    Conversation mine = epoch(a, g);
    assertThat(written(mine.pageKey(mine.myFeed(), 2))).as("page 2 written whole").isTrue();
    assertThat(written(mine.recordKey(mine.myFeed(), 2, 0))).as("no record").isFalse();
    assertThat(update(carol, g)).containsExactlyElementsOf(all);
    assertThat(update(bob, g)).containsExactlyElementsOf(all);
  }

  @Test
  void aMemberAddedWhileRecordsAreOpenReadsTheNewEpochAndTheOthersKeepTheOldRecords() throws Exception {
    open("memory");
    Group g = aliceOnRecords(3);
    ChatClient dave = clients.client(d);
    Group added = TestClients.groups(alice).add(seenBy(alice, g), d.card(), false);
    dave.update(ChatId.direct(a.card()));
    assertThat(added.current().isMember(d.card())).isTrue();
    // The old epoch's page 2 stays three signed records, open for good: nothing there was ever tagged.
    Conversation old = epoch(a, g);
    assertThat(written(old.pageKey(old.myFeed(), 2))).isFalse();
    for (ChatClient m : List.of(bob, carol, dave, alice)) {
      TestClients.groups(m).update(seenBy(m, added)); // each writes its notice in the new epoch; Alice reads them
    }
    List<String> later = sends(alice, added, 100, 125); // her page 1 holds her notice: records from page 2
    Conversation now = epoch(a, added);
    assertThat(written(now.recordKey(now.myFeed(), 2, 0))).as("records in the new epoch").isTrue();
    assertThat(update(dave, added)).containsExactlyElementsOf(later);
    assertThat(update(bob, added)).containsExactlyElementsOf(later);
    List<String> bobs = texts(TestClients.groups(bob).history(seenBy(bob, added), HistoryRequest.all()).messages());
    assertThat(bobs).containsSubsequence("m19", "m20", "m21", "m100", "m124");
    assertThat(texts(TestClients.groups(dave).history(seenBy(dave, added), HistoryRequest.all()).messages()))
        .containsExactlyElementsOf(later);
  }

  @Test
  void aRecordAnotherMemberSignedAtAlicesNextKeyIsForgedNotShownAndAliceWritesOverIt() throws Exception {
    open("memory");
    Group g = aliceOnRecords(2);
    Conversation mine = epoch(a, g);
    String next = mine.recordKey(mine.myFeed(), 2, 2);
    store.put(next, sealed(g, next, recordBy(c, g, recordsOf(a, c, g, 2, 2), "carol says alice said this")));
    Update u = TestClients.groups(bob).update(seenBy(bob, g));
    assertThat(texts(u.received())).isEmpty();
    assertThat(kinds(u)).contains(FeedWarning.Kind.FORGED);
    List<String> honest = sends(alice, g, 21, 22);
    assertThat(update(bob, g)).containsExactlyElementsOf(honest);
  }

  @Test
  void aMemberWhoServesASecondRecordOfItsOwnAtAPlaceIsCaughtAndTheFirstStays() throws Exception {
    open("memory");
    Group g = trip();
    everyoneShowsRecords(g);
    update(carol, g); // Carol reads Alice's notice
    sends(carol, g, 0, 19); // her page 1: notice and 19 messages
    TestClients.groups(carol).send(seenBy(carol, g), "first");
    TestClients.groups(carol).send(seenBy(carol, g), "second");
    update(bob, g);
    // Carol, hostile, serves another record 1 of hers and a record 2 after it: Bob held the first record 1.
    Conversation hers = epoch(c, g);
    List<SlotRecord> fork = new ArrayList<>(recordsOf(c, c, g, 2, 1));
    fork.add(recordBy(c, g, fork, "rewritten"));
    fork.add(recordBy(c, g, fork, "after the rewrite"));
    for (int i = 1; i < 3; i++) {
      String key = hers.recordKey(hers.myFeed(), 2, i);
      store.put(key, sealed(g, key, fork.get(i)));
    }
    Update u = TestClients.groups(bob).update(seenBy(bob, g));
    assertThat(kinds(u)).contains(FeedWarning.Kind.EQUIVOCATION);
    assertThat(texts(u.received())).isEmpty();
    assertThat(texts(TestClients.groups(bob).history(seenBy(bob, g), HistoryRequest.all()).messages()))
        .contains("first", "second").doesNotContain("rewritten", "after the rewrite");
  }

  @Test
  void junkAtRecordKeysCostsAReaderAtMostThePagesTwentyKeysAndAliceWritesOverIt() throws Exception {
    open("memory");
    Group g = aliceOnRecords(1);
    Conversation mine = epoch(a, g);
    for (int i = 1; i < 20; i++) {
      store.put(mine.recordKey(mine.myFeed(), 2, i), "junk " + "x".repeat(i * 1000));
    }
    Update u = TestClients.groups(bob).update(seenBy(bob, g));
    assertThat(texts(u.received())).isEmpty();
    long junk = u.warnings().stream().filter(w -> w.page() == 2).count();
    assertThat(junk).as("reported once for the page").isLessThanOrEqualTo(1);
    List<String> honest = sends(alice, g, 20, 23);
    assertThat(update(bob, g)).containsExactlyElementsOf(honest);
    assertThat(update(carol, g)).containsExactlyElementsOf(honest);
  }

  @Test
  void aDeviceLinkedMidPageLeavesThePageAsRecordsAndEveryMessageReachesEveryone() throws Exception {
    open("memory");
    Group g = aliceOnRecords(3);
    TestClients.Linked linked = clients.link(alice, "laptop");
    ChatClient laptop = clients.client(linked.identity(), linked.state());
    List<String> more = sends(alice, g, 22, 25); // a page begun as records stays records
    Conversation mine = epoch(a, g);
    assertThat(written(mine.recordKey(mine.myFeed(), 2, 5))).isTrue();
    // Bob's client learns of the laptop (Alice's device notice); it holds records of Alice's open page, so it follows
    // them whether or not it has read the laptop's notice yet (written at the laptop's first read, here its history).
    List<String> atBob = new ArrayList<>(update(bob, g));
    TestClients.groups(laptop).history(seenBy(laptop, g), HistoryRequest.all());
    atBob.addAll(update(bob, g));
    assertThat(atBob).containsExactlyElementsOf(more);
    List<String> all = new ArrayList<>(sends(alice, g, 0, 0));
    for (int i = 0; i < 25; i++) {
      all.add("m" + i);
    }
    List<String> fromLaptop = sends(laptop, g, 200, 201);
    assertThat(update(carol, g)).containsExactlyElementsOf(concat(more, fromLaptop));
    assertThat(update(bob, g)).containsExactlyElementsOf(fromLaptop);
    for (ChatClient m : List.of(laptop, bob, carol)) {
      org.reschat.core.History h = TestClients.groups(m).history(seenBy(m, g), HistoryRequest.all());
      assertThat(texts(h.messages())).containsExactlyElementsOf(concat(all, fromLaptop));
      assertThat(h.warnings()).isEmpty();
    }
  }

  /**
   * A hostile member (Carol) links a device that never reads the group, so it never writes its notice. Alice keeps
   * writing the record page she began (a page begun as records stays records), and Bob, whose view now holds a feed
   * that never showed version 5, must still read her records: before, he stopped following records for everyone, and
   * Alice's messages on her open page reached nobody until she filled it (never, in a quiet group).
   */
  @Test
  void aMemberWhoLinksADeviceThatNeverShowsRecordsCannotHideTheOthersOpenRecordPages() throws Exception {
    open("memory");
    Group g = aliceOnRecords(3);
    clients.link(carol, "silent tablet"); // never run: it reads nothing and writes no notice
    update(carol, g);
    update(alice, g);
    update(bob, g); // each has read Carol's device notice: the tablet counts in the epoch
    List<String> more = sends(alice, g, 22, 25);
    Conversation mine = epoch(a, g);
    assertThat(written(mine.recordKey(mine.myFeed(), 2, 5))).as("Alice's page 2 stays records").isTrue();
    assertThat(update(bob, g)).containsExactlyElementsOf(more);
    assertThat(update(carol, g)).containsExactlyElementsOf(more);
  }

  /**
   * The same hostile link, where a writer (Bob) has not read of the device yet when he begins his next page: his view
   * still complete, he begins it as records. Alice, who knows of the device and holds no record of that page yet,
   * still follows it: she followed Bob's page before as records, and a writer that wrote records goes on with them
   * until it learns otherwise. Before, she read nothing of Bob's new page until it filled.
   */
  @Test
  void aWriterWhoHasNotYetReadOfTheSilentDeviceBeginsItsNextPageAsRecordsAndTheReaderWhoHasStillFollowsIt()
      throws Exception {
    open("memory");
    Group g = trip();
    everyoneShowsRecords(g);
    update(bob, g); // Bob reads the others' notices
    List<String> fromBob = new ArrayList<>(sends(bob, g, 100, 124)); // page 1 whole (notice and 19), page 2: five records
    Conversation bobs = epoch(b, g);
    assertThat(written(bobs.recordKey(bobs.myFeed(), 2, 4))).isTrue();
    assertThat(update(alice, g)).containsExactlyElementsOf(fromBob);
    clients.link(carol, "silent tablet");
    update(carol, g);
    update(alice, g); // Alice counts the tablet; Bob has not read of it
    List<String> later = sends(bob, g, 124, 141); // closes page 2 (fifteen more), two records of page 3
    assertThat(written(bobs.recordKey(bobs.myFeed(), 3, 1))).as("Bob's page 3 begun as records").isTrue();
    assertThat(update(alice, g)).containsExactlyElementsOf(later);
  }

  private static List<String> concat(List<String> x, List<String> y) {
    List<String> out = new ArrayList<>(x);
    out.addAll(y);
    return out;
  }
}
