package org.reschat.core.internal.group;

import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.GroupException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * One member limit, {@link Groups#MAX_MEMBERS} (64, a conversation's), tested at the limit; every op at the
 * limit fits a message; an invitation grows linearly with the members (issue 20).
 */
class GroupLimitsTest {
  private final Identity a = TestIdentities.named("alice");
  private final RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
  private final TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(a);

  @AfterEach
  void close() {
    clients.close();
  }

  private static List<Identity> people(String prefix, int n) {
    List<Identity> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(TestIdentities.named(prefix + " " + i));
    }
    return out;
  }

  private static List<PublicCard> cards(List<Identity> ids) {
    return ids.stream().map(Identity::card).toList();
  }

  @Test
  void aGroupHoldsSixtyFourMembersAndNotOneMore() throws Exception {
    assertThat(Groups.MAX_MEMBERS).isEqualTo(64);
    List<Identity> others = people("member", Groups.MAX_MEMBERS);
    assertThatThrownBy(() -> TestClients.groups(alice).create("too big", cards(others))).isInstanceOf(GroupException.class)
        .hasMessageContaining("at most 64 members");
    Group g = TestClients.groups(alice).create("full", cards(others.subList(0, Groups.MAX_MEMBERS - 1)));
    assertThat(g.members()).hasSize(64);
    ChatClient last = clients.client(others.get(62));
    last.update(ChatId.direct(a.card())); // the invitation at the limit fits a message and proves itself
    assertThat(TestClients.groups(last).find(g.id())).hasValueSatisfying(x -> {
      assertThat(x.members()).hasSize(64);
      assertThat(x.confirmed()).isTrue();
    });
    Identity extra = TestIdentities.named("one too many");
    assertThatThrownBy(() -> TestClients.groups(alice).add(TestClients.groups(alice).find(g.id()).orElseThrow(), extra.card(), false))
        .isInstanceOf(GroupException.class).hasMessageContaining("at most 64 members");

    // At the limit: name an admin (a rotation of 64 with a credential), who removes someone and adds another.
    ChatClient bob = clients.client(others.get(0));
    bob.update(ChatId.direct(a.card()));
    TestClients.groups(alice).setAdmin(TestClients.groups(alice).find(g.id()).orElseThrow(), others.get(0).card(), true);
    TestClients.groups(bob).update(TestClients.groups(bob).find(g.id()).orElseThrow());
    TestClients.groups(bob).remove(TestClients.groups(bob).find(g.id()).orElseThrow(), others.get(5).card());
    TestClients.groups(bob).add(TestClients.groups(bob).find(g.id()).orElseThrow(), extra.card(), false);
    ChatClient newcomer = clients.client(extra);
    newcomer.update(ChatId.direct(others.get(0).card()));
    assertThat(TestClients.groups(newcomer).find(g.id())).hasValueSatisfying(x -> {
      assertThat(x.members()).hasSize(64);
      assertThat(x.confirmed()).isTrue();
    });
  }

  @Test
  void theLargestOpOfEachKindFitsAMessage() {
    List<Identity> all = people("m", Groups.MAX_MEMBERS);
    List<PublicCard> members = cards(all);
    String id = Founder.draw(members.get(0), new java.security.SecureRandom()).groupId();
    Epoch e = Forgeries.epoch(members, members, List.of());
    Epoch next = Forgeries.epoch(members, members, List.of(e.id()));
    List<AdminLink> longest = new ArrayList<>();
    for (int i = 0; i < AdminLink.MAX_CHAIN; i++) {
      longest.add(AdminLink.sign(all.get(i), id, next.id(), members.get(i + 1)));
    }
    String wrap = Base64Url.encode(new byte[80]); // a sealed 32-byte secret
    Map<String, Epoch.Cut> cuts = new HashMap<>();
    members.forEach(m -> cuts.put(Epoch.hex(m), new Epoch.Cut(Integer.MAX_VALUE, 20)));
    List<GroupOp> largest = List.of(
        new GroupOp.Rotate(id, e.id(), next.id(), java.util.stream.IntStream.range(0, 63).boxed().toList(),
            members.subList(63, 64), members, Map.of(), Collections.nCopies(64, wrap), longest),
        new GroupOp.Invite(id, "x".repeat(64), List.of(new Epoch(next.id(), next.secret(), members, members,
            List.of(e.id()), cuts)), Optional.of(EpochCert.sign(all.get(AdminLink.MAX_CHAIN), id, "x".repeat(64), next,
                Optional.empty(), longest))),
        new GroupOp.Confirm(EpochCert.sign(all.get(AdminLink.MAX_CHAIN), id, "x".repeat(64), next, Optional.empty(),
            longest)),
        new GroupOp.Leave(id, e.id(), longest));
    for (GroupOp op : largest) {
      assertThat(op.encode().length).as(op.type()).isLessThanOrEqualTo(PageLimits.MAX_MESSAGE_BYTES);
    }
    // The largest roster a reader must take: every member an admin, cut, and as many parents as a merge names.
    List<String> parents = new ArrayList<>();
    for (int i = 0; i < OpJson.MAX_PARENTS; i++) {
      parents.add(Forgeries.epoch(members, members, List.of()).id());
    }
    Epoch largestRoster = new Epoch(next.id(), next.secret(), members, members, parents, cuts);
    Roster.Sealed sealed = Roster.seal(id, largestRoster); // throws past the reader's bound
    assertThat(sealed.value().length()).isLessThanOrEqualTo(Roster.MAX_VALUE_CHARS);
    assertThat(Roster.open(id, next.secret(), Roster.hash(id, largestRoster), java.util.Optional.of(sealed.value())))
        .isInstanceOf(Roster.Found.class);
    assertThat(RosterInvite.of(largest.get(1) instanceof GroupOp.Invite i ? i : null).encode().length)
        .as("a version 3 invitation at the limit (the longest credential, 8 links, is most of it)").isLessThan(3_000);
    Map<String, String> wraps = new HashMap<>();
    members.forEach(m -> wraps.put(Epoch.hex(m), wrap));
    GroupOp.Entrust merge = new GroupOp.Entrust(id, next.id(), List.of(e.id(), next.id()), members, members, wraps);
    assertThat(merge.encode().length).as("a merge with every wrap needs splitting").isGreaterThan(PageLimits.MAX_MESSAGE_BYTES);
    List<GroupOp.Entrust> parts = OpWriter.fitting(merge);
    assertThat(parts).allSatisfy(p -> assertThat(p.encode().length).isLessThanOrEqualTo(PageLimits.MAX_MESSAGE_BYTES));
    Map<String, String> together = new HashMap<>();
    parts.forEach(p -> together.putAll(p.wraps()));
    assertThat(together).isEqualTo(wraps);
  }

  /**
   * Issue 20: an invitation no longer carries the members' cards: the epoch's roster is written once and
   * grows by about a card per member; every invitation page is the same size whatever the group's.
   */
  @Test
  void anInvitationIsTheSameSizeAtAnySizeAndTheRosterGrowsByACardPerMember() throws Exception {
    Map<Integer, Integer> rosters = new HashMap<>();
    Map<Integer, Integer> invitations = new HashMap<>();
    for (int n : List.of(8, 64)) {
      store.takeCalls();
      TestClients.groups(alice).create("g" + n, cards(people("m" + n, n - 1))); // new to alice: one page each
      List<RecordingKvStore.Call> puts = store.takeCalls().stream().filter(c -> c.wrote()
          && c.valueLength() > 300).toList(); // the roster, then the invitation pages (requests to inboxes are 151 characters)
      assertThat(puts).hasSize(n);
      rosters.put(n, puts.get(0).valueLength());
      assertThat(puts.subList(1, n).stream().map(RecordingKvStore.Call::valueLength).distinct().toList()).hasSize(1);
      invitations.put(n, puts.get(1).valueLength());
    }
    assertThat(invitations.get(64)).as("an invitation page at the limit and at 8").isEqualTo(invitations.get(8));
    int perMember = (rosters.get(64) - rosters.get(8)) / (64 - 8);
    // A card is 95 characters; sealed and in base64url (4/3) it is under twice that.
    assertThat(perMember).as("ledger characters per member in the roster").isLessThan(2 * PublicCard.TEXT_LENGTH);
    assertThat(rosters.get(64)).as("the roster at the limit").isLessThan(Roster.MAX_VALUE_CHARS / 2);
  }
}
