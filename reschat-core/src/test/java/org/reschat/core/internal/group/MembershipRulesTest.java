package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.testing.TestIdentities;

/** The rules of {@link MembershipRules#allows}, one by one, on epochs built by hand (no ledger). */
class MembershipRulesTest {
  private final PublicCard alice = TestIdentities.named("alice").card();
  private final PublicCard bob = TestIdentities.named("bob").card();
  private final PublicCard carol = TestIdentities.named("carol").card();
  private final PublicCard dave = TestIdentities.named("dave").card();
  private final Identity founder = TestIdentities.named("alice");
  private final String id = Founder.draw(alice, new SecureRandom()).groupId();
  private final Epoch e0 = Forgeries.epoch(List.of(alice, bob, carol), List.of(alice), List.of());

  private Group group(Epoch... epochs) {
    return new Group(id, "trip", List.of(epochs), Group.Status.ACTIVE, Optional.empty(), List.of());
  }

  /** A rotation of {@code e} into {@code members} and {@code admins}, removing {@code removed}. */
  private GroupOp.Rotate rotation(Epoch e, List<PublicCard> members, List<PublicCard> admins, PublicCard... removed) {
    List<Integer> keep = new ArrayList<>();
    List<PublicCard> add = new ArrayList<>();
    for (PublicCard m : members) {
      if (e.isMember(m)) {
        keep.add(e.members().indexOf(m));
      } else {
        add.add(m);
      }
    }
    Map<String, Epoch.Cut> cuts = new java.util.HashMap<>();
    for (PublicCard r : removed) {
      cuts.put(Epoch.hex(r), new Epoch.Cut(1, 0));
    }
    return new GroupOp.Rotate(id, e.id(), Forgeries.epoch(members, admins, List.of(e.id())).id(), keep, add, admins,
        cuts, Collections.nCopies(members.size(), ""), List.of());
  }

  @Test
  void anAdminMayRotateIntoAnyMembershipAndNameAdmins() {
    assertThat(MembershipRules.allows(group(e0), e0, alice, rotation(e0, List.of(alice, bob), List.of(alice), carol)))
        .isTrue();
    assertThat(MembershipRules.allows(group(e0), e0, alice, rotation(e0, List.of(alice, bob, carol),
        List.of(alice, bob)))).isTrue();
  }

  @Test
  void aMemberWhoIsNotAnAdminOnlyAddsAndKeepsTheAdmins() {
    assertThat(MembershipRules.allows(group(e0), e0, bob, rotation(e0, List.of(alice, bob, carol, dave),
        List.of(alice)))).as("adds a friend").isTrue();
    assertThat(MembershipRules.allows(group(e0), e0, bob, rotation(e0, List.of(alice, bob), List.of(alice), carol)))
        .as("removes someone").isFalse();
    assertThat(MembershipRules.allows(group(e0), e0, bob, rotation(e0, List.of(alice, bob, carol), List.of(bob))))
        .as("names himself admin").isFalse();
    assertThat(MembershipRules.allows(group(e0), e0, bob, rotation(e0, List.of(alice, bob, carol), List.of())))
        .as("drops the admin").isFalse();
  }

  @Test
  void aLeaverIsRotatedOutByTheFirstAdminWithoutThemAndByNobodyElse() {
    Epoch carolLeft = e0.withCut(carol, new Epoch.Cut(1, 1));
    Group g = group(carolLeft);
    assertThat(MembershipRules.allows(g, carolLeft, bob, rotation(carolLeft, List.of(alice, bob), List.of(alice), carol)))
        .as("Bob is no admin while Alice is there").isFalse();
    Epoch aliceLeft = e0.withCut(alice, new Epoch.Cut(1, 1));
    assertThat(MembershipRules.allows(group(aliceLeft), aliceLeft, bob, rotation(aliceLeft, List.of(bob, carol),
        List.of(bob), alice))).as("the longest-standing member completes the only admin's leave").isTrue();
    assertThat(MembershipRules.allows(group(aliceLeft), aliceLeft, carol, rotation(aliceLeft, List.of(bob, carol),
        List.of(bob), alice))).as("but not anyone").isFalse();
    assertThat(MembershipRules.allows(group(e0), e0, bob, rotation(e0, List.of(bob, carol), List.of(bob), alice)))
        .as("nobody is rotated out who did not leave").isFalse();
  }

  @Test
  void aRotationMustFollowThisEpochOfThisGroupAndBeWellFormed() {
    GroupOp.Rotate good = rotation(e0, List.of(alice, bob, carol, dave), List.of(alice));
    assertThat(MembershipRules.allows(group(e0), e0, dave, good)).as("not a member").isFalse();
    GroupOp.Rotate otherParent = new GroupOp.Rotate(id, Forgeries.epoch(List.of(alice), List.of(), List.of()).id(),
        good.epoch(), good.keep(), good.add(), good.admins(), good.removed(), good.wraps(), List.of());
    assertThat(MembershipRules.allows(group(e0), e0, alice, otherParent)).isFalse();
    GroupOp.Rotate otherGroup = new GroupOp.Rotate(Founder.draw(alice, new SecureRandom()).groupId(), e0.id(),
        good.epoch(), good.keep(), good.add(), good.admins(), good.removed(), good.wraps(), List.of());
    assertThat(MembershipRules.allows(group(e0), e0, alice, otherGroup)).isFalse();
    GroupOp.Rotate missingWrap = new GroupOp.Rotate(id, e0.id(), good.epoch(), good.keep(), good.add(), good.admins(),
        good.removed(), good.wraps().subList(1, good.wraps().size()), List.of());
    assertThat(MembershipRules.allows(group(e0), e0, alice, missingWrap)).isFalse();
    GroupOp.Rotate badIndex = new GroupOp.Rotate(id, e0.id(), good.epoch(), List.of(0, 1, 7), good.add(), good.admins(),
        good.removed(), good.wraps(), List.of());
    assertThat(MembershipRules.allows(group(e0), e0, alice, badIndex)).isFalse();
    GroupOp.Rotate adminNotMember = rotation(e0, List.of(alice, bob), List.of(alice, dave));
    assertThat(MembershipRules.allows(group(e0), e0, alice, adminNotMember)).isFalse();
  }

  @Test
  void noRotationMakesAGroupLargerThanTheLimit() {
    List<PublicCard> many = new ArrayList<>(e0.members());
    for (int i = many.size(); i <= MembershipRules.MAX_MEMBERS; i++) {
      many.add(TestIdentities.named("member " + i).card());
    }
    assertThat(many).hasSize(MembershipRules.MAX_MEMBERS + 1);
    assertThat(MembershipRules.allows(group(e0), e0, alice, rotation(e0, many, List.of(alice)))).isFalse();
    assertThat(MembershipRules.allows(group(e0), e0, alice, rotation(e0, many.subList(0, MembershipRules.MAX_MEMBERS),
        List.of(alice)))).isTrue();
  }

  @Test
  void aLeaveIsItsWritersOnceInTheEpochItNames() {
    assertThat(MembershipRules.allows(group(e0), e0, bob, new GroupOp.Leave(id, e0.id(), List.of()))).isTrue();
    Epoch other = Forgeries.epoch(e0.members(), e0.admins(), List.of());
    assertThat(MembershipRules.allows(group(e0), e0, bob, new GroupOp.Leave(id, other.id(), List.of()))).isFalse();
    Epoch cut = e0.withCut(bob, new Epoch.Cut(1, 1));
    assertThat(MembershipRules.allows(group(cut), cut, bob, new GroupOp.Leave(id, e0.id(), List.of()))).isFalse();
  }

  @Test
  void aMergeIsTakenOnlyFromAnAdminOfTheEpochItFollows() {
    Epoch sibling = Forgeries.epoch(e0.members(), e0.admins(), List.of());
    GroupOp.Entrust merge = new GroupOp.Entrust(id, Forgeries.epoch(e0.members(), e0.admins(), List.of()).id(),
        List.of(e0.id(), sibling.id()), e0.members(), e0.admins(), Map.of());
    assertThat(MembershipRules.allows(group(e0), e0, alice, merge)).isTrue();
    assertThat(MembershipRules.allows(group(e0), e0, bob, merge)).isFalse();
    GroupOp.Entrust elsewhere = new GroupOp.Entrust(id, merge.epoch(), List.of(sibling.id()), e0.members(), e0.admins(),
        Map.of());
    assertThat(MembershipRules.allows(group(e0), e0, alice, elsewhere)).isFalse();
  }

  @Test
  void aConfirmationIsItsWritersStatementOfThisEpoch() {
    EpochCert byAlice = EpochCert.sign(founder, id, "trip", e0, Optional.empty(), List.of());
    assertThat(MembershipRules.allows(group(e0), e0, alice, new GroupOp.Confirm(byAlice))).isTrue();
    assertThat(MembershipRules.allows(group(e0), e0, bob, new GroupOp.Confirm(byAlice))).as("relayed by Bob").isFalse();
    Epoch other = Forgeries.epoch(e0.members(), e0.admins(), List.of());
    EpochCert ofOther = EpochCert.sign(founder, id, "trip", other, Optional.empty(), List.of());
    assertThat(MembershipRules.allows(group(e0, other), e0, alice, new GroupOp.Confirm(ofOther))).isFalse();
  }

  @Test
  void aLinkIsStatedOnlyByAnAdminOfTheEpochItNamesWithACredentialFromTheFounder() {
    Founder f = Founder.draw(alice, new SecureRandom());
    Epoch e1 = Forgeries.epoch(List.of(alice, bob, carol), List.of(alice, bob), List.of(e0.id()));
    Group g = new Group(f.groupId(), "trip", List.of(e0, e1), Group.Status.ACTIVE, Optional.empty(), List.of(),
        new GroupTrust(Optional.of(f), Optional.empty(), Optional.of(List.of())));
    JoinLink l = JoinLink.create(new SecureRandom(), bob);
    List<AdminLink> bobs = List.of(AdminLink.sign(founder, g.id(), e1.id(), bob));
    java.util.function.BiFunction<String, List<AdminLink>, GroupOp.Link> op = (epoch, credential) ->
        new GroupOp.Link(g.id(), epoch, l, bob, false, List.of(), Map.of(), credential);
    assertThat(MembershipRules.allows(g, e1, bob, op.apply(e1.id(), bobs))).as("an admin with its credential").isTrue();
    assertThat(MembershipRules.allows(g, e1, alice, op.apply(e1.id(), List.of()))).as("the founder").isTrue();
    assertThat(MembershipRules.allows(g, e1, bob, op.apply(e1.id(), List.of()))).as("no credential").isFalse();
    assertThat(MembershipRules.allows(g, e0, bob, op.apply(e0.id(), bobs))).as("not an admin of e0").isFalse();
    assertThat(MembershipRules.allows(g, e1, carol, op.apply(e1.id(), bobs))).as("a member").isFalse();
    assertThat(MembershipRules.allows(g, e1, bob, op.apply(e0.id(), bobs))).as("another epoch").isFalse();
    assertThat(MembershipRules.allows(g, e1, bob, new GroupOp.Link(id, e1.id(), l, bob, false, List.of(), Map.of(),
        bobs))).as("another group").isFalse();
    assertThat(MembershipRules.allows(g, e1, dave, op.apply(e1.id(), bobs))).as("no member").isFalse();
  }
}
