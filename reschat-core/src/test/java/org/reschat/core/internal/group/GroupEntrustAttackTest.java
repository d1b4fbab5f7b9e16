package org.reschat.core.internal.group;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

class GroupEntrustAttackTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final Identity d = TestIdentities.named("dave");
  private final Identity m = TestIdentities.named("mallory");
  private final MemoryKvStore store = new MemoryKvStore();
  private final TestClients clients = new TestClients(store,
      TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = client(a);
  private final ChatClient bob = client(b);
  private final ChatClient carol = client(c);
  private final ChatClient dave = client(d);
  private final ChatClient mallory = client(m);

  private ChatClient client(Identity id) {
    return clients.client(id);
  }

  @AfterEach
  void close() {
    clients.close();
  }

  private Group trip() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
    bob.update(ChatId.direct(a.card()));
    carol.update(ChatId.direct(a.card()));
    return g;
  }

  private Group seenBy(ChatClient who, Group g) throws Exception {
    return TestClients.groups(who).find(g.id()).orElseThrow();
  }

  /** A GROUP_ENTRUST {@code who} writes by hand into {@code into}: a fresh secret, any claims. Returns the epoch id. */
  private String forgedEntrust(ChatClient who, Identity id, Group g, Epoch into, String parent,
      List<PublicCard> members, List<PublicCard> admins, List<PublicCard> wrapTo) throws Exception {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    String newId = Epoch.idOf(secret);
    com.google.gson.JsonObject op = new com.google.gson.JsonObject();
    op.addProperty("v", 1);
    op.addProperty("group", g.id());
    op.addProperty("epoch", newId);
    op.addProperty("parent", parent.replace("NEW", newId));
    op.add("members", OpJson.cards(members));
    op.add("admins", OpJson.cards(admins));
    com.google.gson.JsonObject wraps = new com.google.gson.JsonObject();
    for (PublicCard to : wrapTo) {
      wraps.addProperty(Epoch.hex(to), Base64Url.encode(TestClients.conversations(who).conversationWith(to).secretWraps()
          .encrypt(secret, Groups.wrapAad(g.id(), newId))));
    }
    op.add("wraps", wraps);
    TestClients.conversations(who).send(Group.conversation(id, into), Groups.ENTRUST,
        "merged concurrent changes".getBytes(StandardCharsets.UTF_8), op.toString().getBytes(StandardCharsets.UTF_8));
    return newId;
  }

  private static List<String> texts(List<org.reschat.core.Message> messages) {
    return messages.stream().filter(x -> x.type().equals(org.reschat.core.Message.TEXT))
        .map(org.reschat.core.Message::text).toList();
  }

  /** Bob's view is untouched by Carol's forgery, and what Bob writes next still reaches Alice: no partition. */
  private void bobStillSharesTheEpochWithAlice(Group g, Epoch e0) throws Exception {
    Group seen = seenBy(bob, g);
    assertThat(seen.epochs()).extracting(Epoch::id).containsExactly(e0.id());
    assertThat(seen.current().isAdmin(a.card())).isTrue();
    assertThat(seen.current().isAdmin(c.card())).isFalse();
    assertThat(seen.members()).containsExactly(a.card(), b.card(), c.card());
    TestClients.groups(bob).send(seen, "still with you");
    assertThat(texts(TestClients.groups(alice).update(seenBy(alice, g)).received())).contains("still with you");
  }

  /**
   * Carol (a member, not an admin) writes into the one epoch there is a "merge" of it and an epoch nobody
   * has, whose members are her and Bob and whose only admin is her, wrapped to Bob under their pair secret.
   * Adopted, Bob would take Carol for the admin, drop Alice, and write where Alice never reads.
   */
  @Test
  void aMemberWhoIsNotAnAdminCannotEntrustAMergeThatMakesThemTheAdminAndDropsTheAdmin() throws Exception {
    Group g = trip();
    Epoch e0 = seenBy(carol, g).current();
    forgedEntrust(carol, c, g, e0, e0.id() + "+AAAAAAAAAAAAAAAA", List.of(c.card(), b.card()), List.of(c.card()),
        List.of(b.card()));
    TestClients.groups(bob).update(seenBy(bob, g));
    bobStillSharesTheEpochWithAlice(g, e0);
  }

  /** The same with nothing Bob could check against: the current epoch alone as parent, the real members. */
  @Test
  void aMemberWhoIsNotAnAdminCannotEntrustTheCurrentEpochAloneWithTheRealMembersAndThemselvesAsAdmin()
      throws Exception {
    Group g = trip();
    Epoch e0 = seenBy(carol, g).current();
    forgedEntrust(carol, c, g, e0, e0.id(), List.of(a.card(), b.card(), c.card()), List.of(c.card()),
        List.of(b.card()));
    forgedEntrust(carol, c, g, e0, e0.id(), List.of(a.card(), b.card(), c.card()), List.of(a.card()),
        List.of(a.card(), b.card())); // the real admin, only a new key: still Carol's word for a merge
    TestClients.groups(bob).update(seenBy(bob, g));
    TestClients.groups(alice).update(g);
    assertThat(seenBy(alice, g).epochs()).hasSize(1);
    bobStillSharesTheEpochWithAlice(g, e0);
  }

  /** Carol entrusts Bob a "merge" whose members include Mallory, an outsider nobody added. */
  @Test
  void aMemberWhoIsNotAnAdminCannotEntrustAnOutsiderIntoTheGroup() throws Exception {
    Group g = trip();
    Epoch e0 = seenBy(carol, g).current();
    forgedEntrust(carol, c, g, e0, "AAAAAAAAAAAAAAAA+" + e0.id(),
        List.of(a.card(), b.card(), c.card(), m.card()), List.of(a.card()), List.of(b.card()));
    TestClients.groups(bob).update(seenBy(bob, g));
    assertThat(seenBy(bob, g).members()).doesNotContain(m.card());
    bobStillSharesTheEpochWithAlice(g, e0);
  }

  /**
   * The concurrent remove and add of {@code GroupChatTest.aConcurrentRemoveAndAddByMembersWhoHaveNotSeenEachOtherConverge}:
   * Bob, a member of both branches (not an admin), derives the real merge and entrusts it to Dave, the
   * newcomer, before Alice does, naming himself its only admin; and a second, made-up merge of the two
   * branches that drops Alice. Dave must end where everyone else does, with Alice the admin.
   */
  @Test
  void aMemberOfBothBranchesCannotEntrustTheNewcomerTheMergeWithThemselvesAsAdmin() throws Exception {
    Group g = trip();
    TestClients.groups(alice).remove(seenBy(alice, g), c.card());
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    dave.update(ChatId.direct(b.card()));
    TestClients.groups(bob).update(seenBy(bob, g)); // Bob now holds both branches and their merge
    Group bobs = seenBy(bob, g);
    Epoch merged = bobs.current();
    Epoch withDave = bobs.epochs().stream().filter(e -> e.isMember(d.card()) && !e.id().equals(merged.id()))
        .findFirst().orElseThrow();
    assertThat(merged.parents()).hasSize(2);
    // The real merged secret, with Bob as its only admin:
    com.google.gson.JsonObject op = new com.google.gson.JsonObject();
    op.addProperty("v", 1);
    op.addProperty("group", g.id());
    op.addProperty("epoch", merged.id());
    op.addProperty("parent", OpJson.joinParents(merged.parents()));
    op.add("members", OpJson.cards(merged.members()));
    op.add("admins", OpJson.cards(List.of(b.card())));
    com.google.gson.JsonObject wraps = new com.google.gson.JsonObject();
    wraps.addProperty(Epoch.hex(d.card()), Base64Url.encode(TestClients.conversations(bob).conversationWith(d.card()).secretWraps()
        .encrypt(merged.secret(), Groups.wrapAad(g.id(), merged.id()))));
    op.add("wraps", wraps);
    TestClients.conversations(bob).send(Group.conversation(b, withDave), Groups.ENTRUST,
        "merged concurrent changes".getBytes(StandardCharsets.UTF_8), op.toString().getBytes(StandardCharsets.UTF_8));
    // And a made-up merge of the same two branches, without Alice:
    forgedEntrust(bob, b, g, withDave, OpJson.joinParents(merged.parents()), List.of(b.card(), d.card()), List.of(b.card()),
        List.of(d.card()));
    TestClients.groups(dave).update(seenBy(dave, g));
    for (int round = 0; round < 2; round++) {
      for (ChatClient member : List.of(alice, bob, dave)) {
        TestClients.groups(member).update(seenBy(member, g));
      }
    }
    String epoch = seenBy(alice, g).current().id();
    Group daves = seenBy(dave, g);
    assertThat(daves.current().id()).isEqualTo(epoch);
    assertThat(daves.members()).containsExactlyInAnyOrder(a.card(), b.card(), d.card());
    assertThat(daves.current().isAdmin(a.card())).isTrue();
    assertThat(daves.current().isAdmin(b.card())).isFalse();
    TestClients.groups(alice).send(seenBy(alice, g), "after the merge");
    assertThat(texts(TestClients.groups(dave).update(seenBy(dave, g)).received())).contains("after the merge");
    TestClients.groups(dave).send(seenBy(dave, g), "dave here");
    assertThat(texts(TestClients.groups(alice).update(seenBy(alice, g)).received())).contains("dave here");
  }

  /**
   * The same forgery through the 1:1 door: Carol, removed by Alice but still Bob's friend, invites Bob to
   * the group he is in, handing over an epoch of her own that follows his current one, with her and Bob its
   * members and her its admin (with no proof, or signed by her). Bob follows the group through its ops: the
   * invitation changes nothing, and he is warned, by name, that Carol sent it.
   */
  @Test
  void aRemovedMemberCannotInviteAnActiveMemberIntoAnEpochOfTheirOwn() throws Exception {
    Group g = trip();
    TestClients.groups(alice).remove(seenBy(alice, g), c.card());
    TestClients.groups(bob).update(seenBy(bob, g));
    TestClients.groups(carol).update(seenBy(carol, g));
    assertThat(seenBy(carol, g).status()).isEqualTo(Group.Status.REMOVED);
    Epoch now = seenBy(bob, g).current();
    for (Forgeries.Version v : Forgeries.Version.values()) {
      Epoch made = Forgeries.epoch(List.of(c.card(), b.card()), List.of(c.card()), List.of(now.id()));
      Forgeries.send(carol, b.card(), g.name(), Forgeries.invitation(v, carol, c, seenBy(carol, g), made));
      List<org.reschat.core.FeedWarning> warnings = bob.update(ChatId.direct(c.card())).warnings();
      assertThat(warnings).as("never skipped without a word").anySatisfy(w -> {
        assertThat(w.kind()).isEqualTo(org.reschat.core.FeedWarning.Kind.CONFLICT);
        assertThat(w.writer()).isEqualTo(c.card());
      });
      TestClients.groups(bob).update(seenBy(bob, g));
      assertThat(seenBy(bob, g).epoch(made.id())).isEmpty();
    }
    Group seen = seenBy(bob, g);
    assertThat(seen.current().id()).isEqualTo(now.id());
    assertThat(seen.current().isAdmin(a.card())).isTrue();
    TestClients.groups(bob).send(seen, "still with you");
    assertThat(texts(TestClients.groups(alice).update(seenBy(alice, g)).received())).contains("still with you");
  }
}
