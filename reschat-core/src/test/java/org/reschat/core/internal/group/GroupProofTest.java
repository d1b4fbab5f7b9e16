package org.reschat.core.internal.group;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.GroupException;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Every legitimate path that makes an epoch still reaches a newcomer with a proof it can check (issue 19
 * items 1, 2): create, an admin adding, a member who is not an admin adding (vouched for by an admin),
 * a newly named admin adding, the member made admin by the last admin's leave adding, concurrent changes
 * merged, shared history, a join link, and a group made before founders (legacy).
 */
class GroupProofTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final Identity d = TestIdentities.named("dave");
  private final MemoryKvStore store = new MemoryKvStore();
  private final TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
  private final InMemoryLocalState aliceState = new InMemoryLocalState();
  private final InMemoryLocalState bobState = new InMemoryLocalState();
  private final ChatClient alice = clients.client(a, aliceState);
  private final ChatClient bob = clients.client(b, bobState);
  private final ChatClient carol = clients.client(c);
  private final InMemoryLocalState daveState = new InMemoryLocalState();
  private final ChatClient dave = clients.client(d, daveState);

  @AfterEach
  void close() {
    clients.close();
  }

  private Group seenBy(ChatClient who, Group g) throws Exception {
    return TestClients.groups(who).find(g.id()).orElseThrow();
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(x -> x.type().equals(Message.TEXT)).map(Message::text).toList();
  }

  private Group trip() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
    bob.update(ChatId.direct(a.card()));
    carol.update(ChatId.direct(a.card()));
    return g;
  }

  /** Dave writes, and Alice reads it: Dave is in the group everyone else is in. */
  private void daveIsHeard(Group g, String text) throws Exception {
    TestClients.groups(dave).send(seenBy(dave, g), text);
    assertThat(texts(TestClients.groups(alice).update(seenBy(alice, g)).received())).contains(text);
  }

  @Test
  void aNewGroupsIdCommitsToItsFounderAndItsInvitationsProveThemselves() throws Exception {
    Group g = trip();
    assertThat(Base64Url.decode(g.id()).orElseThrow()).hasSize(Founder.ID_BYTES);
    assertThat(g.trust().founder()).hasValueSatisfying(f -> {
      assertThat(f.card()).isEqualTo(a.card());
      assertThat(f.groupId()).isEqualTo(g.id());
    });
    assertThat(seenBy(bob, g).confirmed()).isTrue();
    assertThat(seenBy(bob, g).trust().founder()).isEqualTo(g.trust().founder());
    assertThat(seenBy(bob, g).current().isAdmin(a.card())).isTrue();
  }

  @Test
  void aFriendAddedByAMemberWhoIsNotAnAdminReadsAndWritesOnceAnAdminVouches() throws Exception {
    Group g = trip();
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    dave.update(ChatId.direct(b.card()));
    Group daves = seenBy(dave, g);
    assertThat(daves.confirmed()).isFalse();
    assertThat(daves.unconfirmedFrom()).contains(b.card());
    TestClients.groups(bob).send(seenBy(bob, g), "welcome dave");
    assertThat(texts(TestClients.groups(dave).update(daves).received())).contains("welcome dave"); // reads meanwhile
    assertThatThrownBy(() -> TestClients.groups(dave).send(seenBy(dave, g), "hello?")).isInstanceOf(GroupException.class)
        .hasMessageContaining(Groups.shortName(b.card())).hasMessageContaining("vouched");
    assertThatThrownBy(() -> TestClients.groups(dave).add(seenBy(dave, g), c.card(), false)).isInstanceOf(GroupException.class);

    TestClients.groups(alice).update(seenBy(alice, g)); // Alice's client takes Bob's change and vouches for it
    TestClients.groups(dave).update(seenBy(dave, g));
    assertThat(seenBy(dave, g).confirmed()).isTrue();
    daveIsHeard(g, "thanks, all");
  }

  @Test
  void anAdminsConfirmationThatContradictsWhatTheMemberClaimedWinsAndIsReported() throws Exception {
    Group g = trip();
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    // Bob's client told Dave the truth; a hostile one could have told him Bob is the admin of that epoch.
    dave.update(ChatId.direct(b.card()));
    Group daves = seenBy(dave, g);
    Epoch lie = daves.current().as(daves.current().members(), List.of(b.card()), daves.current().parents());
    new GroupStore(d, daveState).save(daves.withEpochs(List.of(lie)));
    TestClients.groups(alice).update(seenBy(alice, g));
    List<FeedWarning> warnings = TestClients.groups(dave).update(seenBy(dave, g)).warnings();
    assertThat(warnings).anySatisfy(w -> {
      assertThat(w.kind()).isEqualTo(FeedWarning.Kind.CONFLICT);
      assertThat(w.writer()).isEqualTo(b.card());
    });
    assertThat(seenBy(dave, g).confirmed()).isTrue();
    assertThat(seenBy(dave, g).current().effectiveAdmins()).containsExactly(a.card());
  }

  @Test
  void aNewlyNamedAdminsInvitationsProveThemselves() throws Exception {
    Group g = trip();
    TestClients.groups(alice).setAdmin(g, b.card(), true);
    TestClients.groups(bob).update(seenBy(bob, g));
    assertThat(seenBy(bob, g).trust().credential()).hasValueSatisfying(links -> assertThat(links).hasSize(1));
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    dave.update(ChatId.direct(b.card()));
    assertThat(seenBy(dave, g).confirmed()).isTrue();
    daveIsHeard(g, "named by bob, an admin");
  }

  /** An admin who cannot prove it (named by one who had no credential: here, the credential lost) is vouched for too. */
  @Test
  void aFriendAddedByAnAdminWithoutACredentialIsVouchedForByAnotherAdmin() throws Exception {
    Group g = trip();
    TestClients.groups(alice).setAdmin(g, b.card(), true);
    TestClients.groups(bob).update(seenBy(bob, g));
    Group bobs = seenBy(bob, g);
    new GroupStore(b, bobState).save(bobs.withTrust(new GroupTrust(bobs.trust().founder(), Optional.empty(),
        Optional.empty())));
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    dave.update(ChatId.direct(b.card()));
    assertThat(seenBy(dave, g).confirmed()).isFalse();
    TestClients.groups(alice).update(seenBy(alice, g));
    TestClients.groups(dave).update(seenBy(dave, g));
    assertThat(seenBy(dave, g).confirmed()).isTrue();
    daveIsHeard(g, "vouched for by alice");
  }

  @Test
  void theMemberTheLastAdminsLeaveMakesAdminInvitesWithProof() throws Exception {
    Group g = trip();
    TestClients.groups(alice).leave(g);
    TestClients.groups(bob).update(seenBy(bob, g)); // Bob, the longest-standing member, completes the leave
    assertThat(seenBy(bob, g).current().effectiveAdmins()).containsExactly(b.card());
    assertThat(seenBy(bob, g).trust().credential()).isPresent();
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    dave.update(ChatId.direct(b.card()));
    assertThat(seenBy(dave, g).confirmed()).isTrue();
    TestClients.groups(dave).send(seenBy(dave, g), "hello bob");
    assertThat(texts(TestClients.groups(bob).update(seenBy(bob, g)).received())).contains("hello bob");
  }

  @Test
  void aNewcomerOfOneBranchOfConcurrentChangesIsVouchedForAndReachesTheMerge() throws Exception {
    Group g = trip();
    TestClients.groups(alice).remove(seenBy(alice, g), c.card()); // Alice removes Carol while Bob adds Dave
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    dave.update(ChatId.direct(b.card()));
    for (int round = 0; round < 2; round++) {
      for (ChatClient member : List.of(alice, bob, dave)) {
        TestClients.groups(member).update(seenBy(member, g));
      }
    }
    assertThat(seenBy(dave, g).confirmed()).isTrue();
    assertThat(seenBy(dave, g).current().id()).isEqualTo(seenBy(alice, g).current().id());
    daveIsHeard(g, "in the merge");
  }

  @Test
  void aNewcomerAddedInTwoBranchesAtOnceIsEntrustedTheMerge() throws Exception {
    Group g = trip();
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false); // Bob and Alice add Dave at once
    TestClients.groups(alice).add(seenBy(alice, g), d.card(), false);
    dave.update(ChatId.direct(b.card()));
    dave.update(ChatId.direct(a.card())); // Alice's proof wins over Bob's word; Dave holds one branch only
    for (int round = 0; round < 2; round++) {
      for (ChatClient member : List.of(alice, bob, dave)) {
        TestClients.groups(member).update(seenBy(member, g));
      }
    }
    assertThat(seenBy(alice, g).current().parents()).hasSize(2);
    assertThat(seenBy(dave, g).current().id()).as("Dave holds the merge too").isEqualTo(seenBy(alice, g).current().id());
    TestClients.groups(alice).send(seenBy(alice, g), "everyone in the merge");
    assertThat(texts(TestClients.groups(dave).update(seenBy(dave, g)).received())).contains("everyone in the merge");
  }

  @Test
  void aSharedHistoryInvitationProvesItself() throws Exception {
    Group g = trip();
    TestClients.groups(alice).send(g, "old news");
    TestClients.groups(alice).add(seenBy(alice, g), d.card(), true);
    dave.update(ChatId.direct(a.card()));
    assertThat(seenBy(dave, g).confirmed()).isTrue();
    assertThat(texts(TestClients.groups(dave).history(seenBy(dave, g), HistoryRequest.all()).messages())).contains("old news");
  }

  @Test
  void aRequesterApprovedThroughALinkIsConfirmed() throws Exception {
    Group g = trip();
    String link = TestClients.groups(alice).links().link(g);
    TestClients.groups(dave).links().join(link, "dave", true);
    TestClients.groups(alice).links().approve(seenBy(alice, g), d.card(), false);
    Group joined = TestClients.groups(dave).links().join(link, "dave", false).joined().orElseThrow();
    assertThat(joined.confirmed()).isTrue();
    daveIsHeard(g, "in by link");
  }

  /** A group made before founders: a random 16-byte id, kept by Alice and Bob as the older version kept it. */
  private Group legacyGroup() throws Exception {
    byte[] id = new byte[16];
    new java.security.SecureRandom().nextBytes(id);
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    Epoch first = new Epoch(Epoch.idOf(secret), secret, List.of(a.card(), b.card()), List.of(a.card()), List.of(),
        Map.of());
    Group g = new Group(Base64Url.encode(id), "old", List.of(first), Group.Status.ACTIVE, Optional.empty(), List.of());
    new GroupStore(a, aliceState).save(g);
    new GroupStore(b, bobState).save(g);
    return g;
  }

  @Test
  void aGroupMadeBeforeFoundersStillTakesNewcomersAndAMembersAddIsVouchedFor() throws Exception {
    Group g = legacyGroup();
    TestClients.groups(alice).add(g, c.card(), false); // an admin's signature is the proof a legacy id allows
    carol.update(ChatId.direct(a.card()));
    assertThat(seenBy(carol, g).confirmed()).isTrue();
    TestClients.groups(bob).update(seenBy(bob, g));
    TestClients.groups(bob).add(seenBy(bob, g), d.card(), false);
    dave.update(ChatId.direct(b.card()));
    assertThat(seenBy(dave, g).confirmed()).isFalse();
    TestClients.groups(alice).update(seenBy(alice, g));
    TestClients.groups(dave).update(seenBy(dave, g));
    assertThat(seenBy(dave, g).confirmed()).isTrue();
    daveIsHeard(g, "in an old group");
  }

  @Test
  void aVersionOneInvitationToALegacyGroupJoinsReadOnlyAndToAFoundedOneIsRefused() throws Exception {
    Group old = legacyGroup();
    Group founded = trip();
    for (Group g : List.of(old, founded)) {
      Epoch e = seenBy(alice, g).current();
      Epoch next = Forgeries.epoch(List.of(a.card(), b.card(), d.card()), e.admins(), List.of(e.id()));
      Forgeries.send(alice, d.card(), g.name(), Forgeries.invitation(Forgeries.Version.V1, a, seenBy(alice, g), next));
    }
    List<FeedWarning> warnings = dave.update(ChatId.direct(a.card())).warnings();
    assertThat(TestClients.groups(dave).find(old.id())).hasValueSatisfying(x -> assertThat(x.confirmed()).isFalse());
    assertThat(TestClients.groups(dave).find(founded.id())).isEmpty();
    assertThat(warnings).singleElement().satisfies(w -> assertThat(w.detail()).contains("\"trip\""));
  }
}
