package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.GroupException;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;

/** Every admin of a group sees and answers the join requests of every admin's links (protocol.md §9). */
class AdminLinksTest {
  private final AdminsClub club;

  AdminLinksTest() throws Exception {
    club = new AdminsClub();
  }

  @AfterEach
  void close() {
    club.close();
  }

  @Test
  void theSecondAdminApprovesARequestMadeThroughTheFirstsLink() throws Exception {
    String link = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.bob);
    assertThat(club.of(club.bob).activeLinks()).singleElement().satisfies(l -> {
      assertThat(l.toString()).isEqualTo(link);
      assertThat(l.boxSecret()).isPresent();
      assertThat(l.maker()).contains(club.a.card());
    });
    AdminsClub.links(club.carol).join(link, "carol", true);
    assertThat(club.requests(club.bob)).singleElement().satisfies(r -> assertThat(r.card()).isEqualTo(club.c.card()));

    AdminsClub.links(club.bob).approve(club.of(club.bob), club.c.card(), false); // Alice is away
    Group joined = AdminsClub.links(club.carol).join(link, "carol", false).joined().orElseThrow();
    assertThat(joined.members()).containsExactly(club.a.card(), club.b.card(), club.d.card(), club.c.card());
    club.update(club.alice);
    assertThat(club.of(club.alice).members()).contains(club.c.card());
    assertThat(club.requests(club.alice)).isEmpty(); // a member now, for the link's maker too
  }

  @Test
  void aDenialByOneAdminIsSeenByTheOtherAndSoIsARevocation() throws Exception {
    String link = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.bob);
    AdminsClub.links(club.carol).join(link, "carol", true);
    assertThat(club.requests(club.alice)).hasSize(1);
    AdminsClub.links(club.bob).deny(club.of(club.bob), club.c.card());
    club.update(club.alice);
    assertThat(club.requests(club.alice)).isEmpty();
    assertThat(AdminsClub.links(club.carol).join(link, "carol", false).joined()).isEmpty();

    AdminsClub.links(club.bob).revokeLinks(club.of(club.bob));
    club.update(club.alice);
    assertThat(club.of(club.alice).activeLinks()).isEmpty();
    AdminsClub.links(club.mallory).join(link, "mallory", true);
    assertThat(club.requests(club.alice)).isEmpty();
    assertThat(club.requests(club.bob)).isEmpty();
  }

  @Test
  void aPlainMemberLearnsNoBoxKey() throws Exception {
    String link = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.dave, club.bob);
    assertThat(club.of(club.dave).links()).isEmpty();
    assertThatThrownBy(() -> club.requests(club.dave)).isInstanceOf(GroupException.class).hasMessageContaining("admin");
    List<GroupOp.Link> ops = club.linkOps(club.dave); // what Dave reads in the group: the op itself
    assertThat(ops).singleElement().satisfies(op -> {
      assertThat(op.link().toString()).isEqualTo(link);
      assertThat(op.boxes()).containsOnlyKeys(Epoch.hex(club.a.card()), Epoch.hex(club.b.card())); // the admins
      assertThat(op.boxes().values()).noneMatch(box -> AdminsClub.opens(club.id, op.link(), club.d, box));
      assertThat(AdminsClub.opens(club.id, op.link(), club.b, op.boxes().get(Epoch.hex(club.b.card())))).isTrue();
    });
  }

  @Test
  void anAdminNoLongerOneHasTheLinksTheyHeldRevokedAndLearnsNoLaterLink() throws Exception {
    String held = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.bob);
    AdminsClub.groups(club.alice).setAdmin(club.of(club.alice), club.b.card(), false);
    assertThat(club.of(club.alice).activeLinks()).isEmpty(); // Bob holds its box key: revoked at once
    AdminsClub.links(club.carol).join(held, "carol", true);
    assertThat(club.requests(club.alice)).isEmpty();

    String later = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.bob);
    assertThat(club.of(club.bob).activeLinks()).isEmpty(); // the one it held is revoked for it too
    assertThat(club.of(club.bob).links()).noneMatch(l -> l.toString().equals(later));
    assertThat(club.linkOps(club.bob)).filteredOn(op -> op.link().toString().equals(later)).isNotEmpty()
        .allSatisfy(op -> assertThat(op.boxes().values()).noneMatch(box -> AdminsClub.opens(club.id, op.link(), club.b,
            box)));
  }

  @Test
  void aRemovedAdminsLinksAreRevokedAndTheyLearnNoLaterLink() throws Exception {
    String held = AdminsClub.links(club.bob).link(club.of(club.bob));
    club.update(club.alice);
    assertThat(club.of(club.alice).activeLinks()).hasSize(1);
    AdminsClub.groups(club.alice).remove(club.of(club.alice), club.b.card());
    assertThat(club.of(club.alice).activeLinks()).isEmpty();
    AdminsClub.links(club.carol).join(held, "carol", true);
    assertThat(club.requests(club.alice)).isEmpty();

    String later = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.bob, club.dave);
    assertThat(club.of(club.bob).status()).isEqualTo(Group.Status.REMOVED);
    assertThat(club.of(club.bob).links()).noneMatch(l -> l.toString().equals(later));
    assertThat(club.linkOps(club.dave)).filteredOn(op -> op.link().toString().equals(later)).isNotEmpty()
        .allSatisfy(op -> assertThat(op.boxes()).doesNotContainKey(Epoch.hex(club.b.card())));
  }

  @Test
  void anAdminWhoLeavesHasTheLinksTheyHeldRevokedByTheAdminWhoCompletesTheLeave() throws Exception {
    String held = AdminsClub.links(club.bob).link(club.of(club.bob));
    club.update(club.alice);
    assertThat(club.of(club.alice).activeLinks()).hasSize(1);
    AdminsClub.groups(club.bob).leave(club.of(club.bob));
    club.update(club.alice); // completes the leave (a new epoch without Bob), then sees Bob held the link
    assertThat(club.of(club.alice).members()).doesNotContain(club.b.card());
    assertThat(club.of(club.alice).activeLinks()).isEmpty();
    AdminsClub.links(club.carol).join(held, "carol", true);
    assertThat(club.requests(club.alice)).isEmpty();
  }

  @Test
  void anAdminAppointedLaterGetsTheOpenLinks() throws Exception {
    String link = AdminsClub.links(club.alice).link(club.of(club.alice));
    AdminsClub.groups(club.alice).setAdmin(club.of(club.alice), club.d.card(), true);
    club.update(club.dave);
    assertThat(club.of(club.dave).activeLinks()).singleElement().satisfies(l -> {
      assertThat(l.toString()).isEqualTo(link);
      assertThat(l.boxSecret()).isPresent();
    });
    AdminsClub.links(club.carol).join(link, "carol", true);
    assertThat(club.requests(club.dave)).singleElement().satisfies(r -> assertThat(r.card()).isEqualTo(club.c.card()));
  }

  @Test
  void twoAdminsApprovingTheSameRequesterAtOnceAddItOnce() throws Exception {
    String link = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.bob);
    AdminsClub.links(club.carol).join(link, "carol", true);
    AdminsClub.links(club.alice).approve(club.of(club.alice), club.c.card(), false);
    AdminsClub.links(club.bob).approve(club.of(club.bob), club.c.card(), false); // before reading Alice's
    Group joined = AdminsClub.links(club.carol).join(link, "carol", false).joined().orElseThrow();
    for (int round = 0; round < 3; round++) {
      club.update(club.alice, club.bob, club.dave, club.carol);
    }
    String epoch = club.of(club.alice).current().id();
    for (var who : List.of(club.alice, club.bob, club.dave, club.carol)) {
      Group g = club.of(who);
      assertThat(g.current().id()).isEqualTo(epoch);
      assertThat(g.members()).containsExactlyInAnyOrder(club.a.card(), club.b.card(), club.d.card(), club.c.card());
    }
    assertThat(club.of(club.alice).current().parents()).hasSize(2); // the two approvals, merged
    AdminsClub.groups(club.carol).send(joined, "hello, I am in once");
    club.update(club.alice);
    assertThat(AdminsClub.groups(club.alice).history(club.of(club.alice), HistoryRequest.all()).messages())
        .filteredOn(x -> x.type().equals(Message.TEXT)).extracting(Message::text).containsOnlyOnce("hello, I am in once");
  }

  @Test
  void aLinkKeptBeforeLinksWereSharedReachesTheOtherAdminsAtItsMakersNextReceive() throws Exception {
    JoinLink old = JoinLink.create(new java.security.SecureRandom(), club.a.card());
    JoinLink kept = new JoinLink(old.board(), old.boxPublic(), old.boxSecret(), false, List.of(),
        java.util.Optional.empty(), List.of()); // as this version's codec reads a link kept by the one before
    AdminsClub.groups(club.alice).save(club.of(club.alice).withLinks(List.of(kept)));
    club.update(club.bob);
    assertThat(club.of(club.bob).links()).isEmpty();
    club.update(club.alice, club.bob);
    assertThat(club.of(club.bob).activeLinks()).singleElement().satisfies(l -> {
      assertThat(l.toString()).isEqualTo(old.toString());
      assertThat(l.maker()).contains(club.a.card());
      assertThat(l.boxSecret()).isPresent();
    });
    club.update(club.alice);
    int written = club.linkOps(club.bob).size();
    club.update(club.alice, club.bob, club.alice);
    assertThat(club.linkOps(club.bob)).hasSize(written); // shared once: nothing more to say
  }

  @Test
  void theMakersLinkedDeviceHoldsTheLinkToo() throws Exception {
    org.reschat.core.ChatClient laptop = club.linkDevice(club.alice, "laptop");
    String link = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(laptop);
    assertThat(club.of(laptop).activeLinks()).singleElement().satisfies(l -> {
      assertThat(l.toString()).isEqualTo(link);
      assertThat(l.boxSecret()).isPresent();
    });
    AdminsClub.links(club.carol).join(link, "carol", true);
    assertThat(club.requests(laptop)).singleElement().satisfies(r -> assertThat(r.card()).isEqualTo(club.c.card()));
  }
}
