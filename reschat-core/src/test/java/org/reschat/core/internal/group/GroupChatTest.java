package org.reschat.core.internal.group;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.GroupException;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.PageFormatException;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvVersion;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

class GroupChatTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final Identity d = TestIdentities.named("dave");
  private final MemoryKvStore memory = new MemoryKvStore();
  private final RecordingKvStore store = new RecordingKvStore(memory);
  private final TestClients clients = new TestClients(store,
      TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = client(a);
  private final ChatClient bob = client(b);
  private final ChatClient carol = client(c);
  private final ChatClient dave = client(d);

  private ChatClient client(Identity id) {
    return clients.client(id);
  }

  @AfterEach
  void close() {
    clients.close();
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(m -> m.type().equals(Message.TEXT)).map(Message::text).collect(Collectors.toList());
  }

  /** Alice creates "trip" with Bob and Carol; each takes the invitation from their chat with Alice. */
  private Group trip() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
    assertThat(bob.update(ChatId.direct(a.card())).received()).extracting(Message::type).contains(Groups.INVITE);
    carol.update(ChatId.direct(a.card()));
    return g;
  }

  private Group seenBy(ChatClient who, Group g) throws Exception {
    return TestClients.groups(who).find(g.id()).orElseThrow();
  }

  @Test
  void membersWhoAreNotFriendsTalkInOneConversationInOneOrder() throws Exception {
    Group g = trip();
    assertThat(seenBy(bob, g).members()).containsExactlyInAnyOrder(a.card(), b.card(), c.card());
    TestClients.groups(alice).send(g, "hi all");
    TestClients.groups(bob).send(seenBy(bob, g), "hi from bob");
    TestClients.groups(carol).send(seenBy(carol, g), "hi from carol"); // Bob and Carol have never swapped cards
    for (ChatClient member : List.of(alice, bob, carol)) {
      assertThat(texts(TestClients.groups(member).history(seenBy(member, g), HistoryRequest.all()).messages()))
          .containsExactly("hi all", "hi from bob", "hi from carol");
    }
    List<Message> update = TestClients.groups(dave).list().isEmpty() ? List.of() : List.of();
    assertThat(update).isEmpty(); // Dave was never invited and holds nothing
  }

  @Test
  void aMessageIsOneCiphertextAndOneWriteWhateverTheGroupSize() throws Exception {
    List<Identity> fifty = new ArrayList<>();
    for (int i = 0; i < 49; i++) {
      fifty.add(TestIdentities.named("member " + i));
    }
    Group big = TestClients.groups(alice).create("big", fifty.stream().map(Identity::card).toList());
    Group small = TestClients.groups(alice).create("small", List.of(b.card(), c.card()));
    for (Group g : List.of(big, small)) {
      TestClients.groups(alice).send(g, "warm up");
      store.takeCalls();
      TestClients.groups(alice).send(g, "x".repeat(100));
      List<RecordingKvStore.Call> calls = store.takeCalls();
      assertThat(calls).hasSize(1); // the write, conditional on the tail last seen: no read before it
      assertThat(calls.get(0).op()).isEqualTo(RecordingKvStore.Op.PUT_IF_UNCHANGED);
    }
  }

  @Test
  void aRemovedMemberIsToldByWhomCannotOpenWhatFollowsAndIsNotReadAfterTheCut() throws Exception {
    Group g = trip();
    TestClients.groups(alice).send(g, "before");
    TestClients.groups(carol).send(seenBy(carol, g), "carol before");
    TestClients.groups(bob).update(seenBy(bob, g));
    TestClients.groups(alice).update(g);
    int keysBefore = memory.keys().size();
    Group after = TestClients.groups(alice).remove(seenBy(alice, g), c.card());
    assertThat(after.members()).containsExactlyInAnyOrder(a.card(), b.card());
    TestClients.groups(alice).send(after, "after, without carol");

    TestClients.groups(carol).update(seenBy(carol, g));
    Group carols = seenBy(carol, g);
    assertThat(carols.status()).isEqualTo(Group.Status.REMOVED);
    assertThat(carols.removedBy()).contains(a.card());
    assertThatThrownBy(() -> TestClients.groups(carol).send(carols, "still here?")).isInstanceOf(GroupException.class)
        .hasMessageContaining("removed").hasMessageContaining(Groups.shortName(a.card()));
    // With every secret Carol holds, nothing written after the removal opens.
    List<String> newKeys = memory.keys().stream().skip(keysBefore).toList();
    assertThat(newKeys).isNotEmpty();
    for (String key : memory.keys()) {
      for (KvVersion v : memory.history(key)) {
        if (newKeys.contains(key) && seenBy(alice, g).epochs().size() == 2) {
          for (Epoch e : carols.epochs()) {
            Conversation conv = Group.conversation(c, e);
            assertThatThrownBy(() -> Envelope.open(conv, key, v.value())).isInstanceOf(PageFormatException.class);
          }
        }
      }
    }
    // Carol writes on in the old epoch (she still holds its secret): nobody reads it.
    Conversation old = Group.conversation(c, carols.epochs().get(0));
    TestClients.conversations(carol).send(old, Message.TEXT, new byte[0],
        "written after being removed".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    List<String> bobSees = texts(TestClients.groups(bob).history(seenBy(bob, g), HistoryRequest.all()).messages());
    assertThat(bobSees).contains("before", "carol before", "after, without carol")
        .doesNotContain("written after being removed");
    assertThat(seenBy(bob, g).members()).doesNotContain(c.card());
  }

  @Test
  void onlyAdminsRemoveAndAnyMemberAdds() throws Exception {
    Group g = trip();
    assertThatThrownBy(() -> TestClients.groups(bob).remove(seenBy(bob, g), c.card())).isInstanceOf(GroupException.class)
        .extracting(e -> ((GroupException) e).reason()).isEqualTo(GroupException.Reason.NOT_ALLOWED);
    bob.update(ChatId.direct(d.card())); // Bob and Dave are friends; Dave is no friend of Alice's
    Group added = TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    assertThat(added.members()).contains(d.card());
    dave.update(ChatId.direct(b.card()));
    TestClients.groups(alice).update(g);
    assertThat(seenBy(alice, g).members()).contains(d.card());
    assertThat(seenBy(dave, g).members()).containsExactlyInAnyOrder(a.card(), b.card(), c.card(), d.card());
  }

  /**
   * A rotation {@code who} writes by hand: everyone kept, a fresh secret wrapped to each, and the admin
   * list it likes. The client would never write it; a hostile member can.
   */
  private void handMadeRotation(ChatClient who, Identity id, Group g, List<PublicCard> admins) throws Exception {
    handMadeRotation(who, id, g, admins, java.util.Set.of());
  }

  /** As above, with a wrap that does not open for each member in {@code junkFor}. */
  private void handMadeRotation(ChatClient who, Identity id, Group g, List<PublicCard> admins,
      java.util.Set<PublicCard> junkFor) throws Exception {
    Epoch old = g.current();
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    String newId = Epoch.idOf(secret);
    com.google.gson.JsonObject op = new com.google.gson.JsonObject();
    op.addProperty("v", 1);
    op.addProperty("group", g.id());
    op.addProperty("parent", old.id());
    op.addProperty("epoch", newId);
    com.google.gson.JsonArray keep = new com.google.gson.JsonArray();
    com.google.gson.JsonArray wraps = new com.google.gson.JsonArray();
    for (int i = 0; i < old.members().size(); i++) {
      keep.add(i);
      PublicCard m = old.members().get(i);
      wraps.add(m.equals(id.card()) ? "" : junkFor.contains(m) ? org.reschat.core.internal.crypto.Base64Url.encode(new byte[80])
          : org.reschat.core.internal.crypto.Base64Url.encode(
              TestClients.conversations(who).conversationWith(m).secretWraps().encrypt(secret, Groups.wrapAad(g.id(), newId))));
    }
    op.add("keep", keep);
    op.add("add", new com.google.gson.JsonArray());
    op.add("admins", OpJson.cards(admins));
    op.add("removed", new com.google.gson.JsonObject());
    op.add("wraps", wraps);
    TestClients.conversations(who).send(Group.conversation(id, old), Groups.ROTATE,
        "new key".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        op.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void aMemberWhoIsNotAnAdminCannotMakeThemselvesOneOrUnmakeAnAdmin() throws Exception {
    Group g = trip();
    handMadeRotation(bob, b, seenBy(bob, g), List.of(b.card())); // Bob names himself the only admin
    TestClients.groups(alice).update(g);
    TestClients.groups(carol).update(seenBy(carol, g));
    for (ChatClient member : List.of(alice, carol)) {
      Epoch now = TestClients.groups(member).find(g.id()).orElseThrow().current();
      assertThat(now.isAdmin(a.card())).isTrue();
      assertThat(now.isAdmin(b.card())).isFalse();
    }
    handMadeRotation(bob, b, seenBy(bob, g), List.of()); // or names no admin, to unmake Alice
    TestClients.groups(alice).update(g);
    assertThat(seenBy(alice, g).current().isAdmin(a.card())).isTrue();
    assertThat(seenBy(alice, g).epochs()).hasSize(1);
  }

  @Test
  void aMemberSplitOffByAKeyTheyCannotOpenIsWarnedAndNamesTheWriter() throws Exception {
    Group g = trip();
    // Bob, an admin here, rotates the key with a copy for Alice that does not open: Carol moves on, Alice
    // cannot. Nobody can check copies made for others, so it cannot be refused; it must not be quiet.
    TestClients.groups(alice).setAdmin(g, b.card(), true);
    TestClients.groups(bob).update(seenBy(bob, g));
    handMadeRotation(bob, b, seenBy(bob, g), seenBy(bob, g).current().effectiveAdmins(), java.util.Set.of(a.card()));

    org.reschat.core.Update u = TestClients.groups(alice).update(seenBy(alice, g));
    assertThat(u.warnings()).anySatisfy(w -> {
      assertThat(w.kind()).isEqualTo(FeedWarning.Kind.UNDECRYPTABLE);
      assertThat(w.writer()).isEqualTo(b.card());
      assertThat(w.detail()).contains("does not open");
    });
    TestClients.groups(carol).update(seenBy(carol, g));
    assertThat(seenBy(carol, g).epochs()).hasSize(seenBy(alice, g).epochs().size() + 1);
  }

  @Test
  void anAdminNamesAnotherAdminWhoCanThenRemoveAndTheLastAdminCannotStepDown() throws Exception {
    Group g = trip();
    assertThatThrownBy(() -> TestClients.groups(bob).setAdmin(seenBy(bob, g), c.card(), true)).isInstanceOf(GroupException.class)
        .extracting(e -> ((GroupException) e).reason()).isEqualTo(GroupException.Reason.NOT_ALLOWED);
    assertThatThrownBy(() -> TestClients.groups(alice).setAdmin(g, a.card(), false)).isInstanceOf(GroupException.class)
        .hasMessageContaining("needs an admin");

    TestClients.groups(alice).setAdmin(g, b.card(), true);
    TestClients.groups(bob).update(seenBy(bob, g));
    TestClients.groups(carol).update(seenBy(carol, g));
    assertThat(seenBy(carol, g).current().isAdmin(b.card())).isTrue();

    TestClients.groups(alice).setAdmin(seenBy(alice, g), a.card(), false); // Alice steps down; Bob remains
    TestClients.groups(bob).update(seenBy(bob, g));
    Group without = TestClients.groups(bob).remove(seenBy(bob, g), c.card());
    TestClients.groups(alice).update(seenBy(alice, g));
    assertThat(seenBy(alice, g).members()).containsExactlyInAnyOrder(a.card(), b.card());
    assertThat(seenBy(alice, g).current().isAdmin(a.card())).isFalse();
    assertThat(without.current().effectiveAdmins()).containsExactly(b.card());
  }

  @Test
  void newcomersReadFromWhenTheyJoinedUnlessHistoryIsShared() throws Exception {
    Group g = trip();
    TestClients.groups(alice).send(g, "old news");
    Group withDave = TestClients.groups(alice).add(seenBy(alice, g), d.card(), false);
    TestClients.groups(alice).send(withDave, "welcome dave");
    dave.update(ChatId.direct(a.card()));
    assertThat(texts(TestClients.groups(dave).history(seenBy(dave, g), HistoryRequest.all()).messages()))
        .containsExactly("welcome dave");

    Identity erin = TestIdentities.named("erin");
    ChatClient erins = client(erin);
    TestClients.groups(alice).add(seenBy(alice, g), erin.card(), true);
    erins.update(ChatId.direct(a.card()));
    assertThat(texts(TestClients.groups(erins).history(seenBy(erins, g), HistoryRequest.all()).messages()))
        .containsExactly("old news", "welcome dave");
  }

  @Test
  void aMemberWhoLeavesIsRotatedOutByTheFirstAdmin() throws Exception {
    Group g = trip();
    TestClients.groups(carol).leave(seenBy(carol, g));
    TestClients.groups(alice).update(g); // Alice, the admin, sees Carol leave and starts an epoch without her
    assertThat(seenBy(alice, g).members()).containsExactlyInAnyOrder(a.card(), b.card());
    TestClients.groups(bob).update(seenBy(bob, g));
    assertThat(seenBy(bob, g).members()).containsExactlyInAnyOrder(a.card(), b.card());
    assertThatThrownBy(() -> TestClients.groups(carol).send(seenBy(carol, g), "x")).isInstanceOf(GroupException.class)
        .hasMessageContaining("left");
  }

  @Test
  void theOnlyAdminLeavingWhileAMemberAddsSomeoneIsStillRotatedOutForThoseWhoSawTheLeave() throws Exception {
    Group g = trip();
    TestClients.groups(alice).leave(g); // Alice, the only admin, leaves in the first epoch…
    bob.update(ChatId.direct(d.card()));
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false); // …while Bob, who has not seen it, adds Dave
    TestClients.groups(bob).update(seenBy(bob, g)); // Bob reads the leave, written in the epoch before his
    TestClients.groups(carol).update(seenBy(carol, g));
    for (Map.Entry<String, ChatClient> member : Map.of("bob", bob, "carol", carol).entrySet()) {
      assertThat(TestClients.groups(member.getValue()).find(g.id()).orElseThrow().members()).as("members as " + member.getKey()
          + " sees them").containsExactlyInAnyOrder(b.card(), c.card(), d.card());
    }
    // Dave holds no key to the epoch Alice's leave is in, so cannot check it: he does not take Bob's word
    // for it (docs/threat-model.md, limits) and stays in the epoch he was invited to.
    dave.update(ChatId.direct(b.card()));
    TestClients.groups(dave).update(seenBy(dave, g));
    assertThat(seenBy(dave, g).members()).contains(a.card());
  }

  @Test
  void whenNoAdminIsLeftTheLongestStandingMemberIsOne() throws Exception {
    Group g = trip();
    TestClients.groups(alice).leave(g);
    Group bobs = seenBy(bob, g);
    TestClients.groups(bob).update(bobs);
    // Alice was the only admin; Bob joined first after her, so Bob's client rotated her out.
    assertThat(seenBy(bob, g).current().effectiveAdmins()).containsExactly(b.card());
    assertThat(seenBy(bob, g).members()).containsExactlyInAnyOrder(b.card(), c.card());
    TestClients.groups(carol).update(seenBy(carol, g)); // and Carol takes that rotation, though Bob was no admin before
    assertThat(seenBy(carol, g).members()).containsExactlyInAnyOrder(b.card(), c.card());
    assertThat(seenBy(carol, g).current().effectiveAdmins()).containsExactly(b.card());
  }

  @Test
  void aReplayedMembershipChangeChangesNothing() throws Exception {
    Group g = trip();
    Group after = TestClients.groups(alice).remove(seenBy(alice, g), c.card());
    TestClients.groups(bob).update(seenBy(bob, g));
    assertThat(seenBy(bob, g).epochs()).hasSize(2);
    // Someone writes the rotation page again, and again.
    for (String key : memory.keys()) {
      List<KvVersion> versions = memory.history(key);
      memory.put(key, versions.get(versions.size() - 1).value());
    }
    TestClients.groups(bob).update(seenBy(bob, g));
    TestClients.groups(bob).history(seenBy(bob, g), HistoryRequest.all());
    assertThat(seenBy(bob, g).epochs()).hasSize(2);
    assertThat(after.epochs()).hasSize(2);
  }

  @Test
  void aMemberCannotForgeAnotherMembersMessage() throws Exception {
    Group g = trip();
    Conversation carolsView = Group.conversation(c, seenBy(carol, g).current());
    org.reschat.core.internal.page.Page page = org.reschat.core.testing.PageFixtures.pages(carolsView,
        List.of("I am Bob, honest"), 1).get(0);
    String bobsKey = carolsView.pageKey(carolsView.feed(carolsView.indexOf(b.card())), 1);
    memory.put(bobsKey, Envelope.seal(carolsView, bobsKey, page)); // sealed under the group secret, signed by Carol
    org.reschat.core.History h = TestClients.groups(alice).history(g, HistoryRequest.all());
    assertThat(texts(h.messages())).doesNotContain("I am Bob, honest");
    assertThat(h.warnings()).extracting(FeedWarning::kind).contains(FeedWarning.Kind.FORGED);
  }

  @Test
  void aStaleInvitationChangesNothing() throws Exception {
    Group g = trip();
    TestClients.groups(alice).remove(seenBy(alice, g), c.card());
    TestClients.groups(carol).update(seenBy(carol, g));
    assertThat(seenBy(carol, g).status()).isEqualTo(Group.Status.REMOVED);
    // The first invitation, read again (a fresh read of Alice's feed), does not bring Carol back.
    List<Message> all = carol.history(ChatId.direct(a.card()), HistoryRequest.all()).messages();
    TestClients.groups(carol).acceptInvites(a.card(), all);
    assertThat(seenBy(carol, g).status()).isEqualTo(Group.Status.REMOVED);
  }
  @Test
  void pollingAGroupReadsOncePerMemberFeed() throws Exception {
    Group g = trip();
    TestClients.groups(alice).send(g, "one");
    TestClients.groups(bob).send(seenBy(bob, g), "two");
    TestClients.groups(carol).send(seenBy(carol, g), "three");
    TestClients.groups(alice).update(g);
    store.takeCalls();
    TestClients.groups(alice).update(g); // nothing new: each feed's open tail page is read once, nothing else
    assertOneReadOfEachFeed(store.takeCalls());
    TestClients.groups(bob).send(seenBy(bob, g), "four");
    store.takeCalls();
    assertThat(texts(TestClients.groups(alice).update(g).received())).containsExactly("four");
    assertOneReadOfEachFeed(store.takeCalls()); // Bob's tail page grew: its new version came in the same read
  }

  /** One request, three keys: the first reads of every feed go out together (ConversationEngine.Operation.refresh). */
  private static void assertOneReadOfEachFeed(List<RecordingKvStore.Call> calls) {
    assertThat(calls).singleElement().satisfies(call -> {
      assertThat(call.op()).isEqualTo(RecordingKvStore.Op.GET_ALL);
      assertThat(call.keys()).hasSize(3).doesNotHaveDuplicates();
    });
  }
  @Test
  void aConcurrentRemoveAndAddByMembersWhoHaveNotSeenEachOtherConverge() throws Exception {
    Group g = trip();
    // Alice (admin) removes Carol while Bob adds Dave; neither has seen the other's change.
    TestClients.groups(alice).remove(seenBy(alice, g), c.card());
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    dave.update(ChatId.direct(b.card()));
    for (int round = 0; round < 2; round++) {
      for (ChatClient member : List.of(alice, bob, dave)) {
        TestClients.groups(member).update(seenBy(member, g));
      }
    }
    TestClients.groups(carol).update(seenBy(carol, g));
    String epoch = seenBy(alice, g).current().id();
    for (ChatClient member : List.of(alice, bob, dave)) {
      Group seen = seenBy(member, g);
      assertThat(seen.current().id()).as("the same key for everyone").isEqualTo(epoch);
      assertThat(seen.members()).as("the removal holds, the add too").containsExactlyInAnyOrder(a.card(), b.card(),
          d.card());
    }
    assertThat(seenBy(carol, g).status()).isEqualTo(Group.Status.REMOVED);
    int keysBefore = memory.keys().size();
    TestClients.groups(alice).send(seenBy(alice, g), "after the merge");
    for (ChatClient member : List.of(bob, dave)) {
      assertThat(texts(TestClients.groups(member).update(seenBy(member, g)).received())).contains("after the merge");
    }
    for (String key : memory.keys().subList(keysBefore, memory.keys().size())) {
      String value = memory.get(key).orElseThrow();
      for (Epoch e : seenBy(carol, g).epochs()) {
        assertThatThrownBy(() -> Envelope.open(Group.conversation(c, e), key, value))
            .isInstanceOf(PageFormatException.class);
      }
    }
  }
  @Test
  void twoThreadsChangingOneGroupLoseNoChange() throws Exception {
    Group g = trip();
    List<Identity> newcomers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      newcomers.add(TestIdentities.named("newcomer " + i));
    }
    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.Future<?> links = two.submit(() -> {
        for (int i = 0; i < 6; i++) {
          TestClients.groups(alice).links().link(seenBy(alice, g));
        }
        return null;
      });
      java.util.concurrent.Future<?> adds = two.submit(() -> {
        for (Identity n : newcomers) {
          TestClients.groups(alice).add(seenBy(alice, g), n.card(), false);
        }
        return null;
      });
      links.get();
      adds.get();
    } finally {
      two.shutdownNow();
    }
    Group after = seenBy(alice, g);
    assertThat(after.links()).hasSize(6);
    assertThat(after.epochs()).hasSize(1 + 6);
    assertThat(after.members()).containsAll(newcomers.stream().map(Identity::card).toList());
  }
}
