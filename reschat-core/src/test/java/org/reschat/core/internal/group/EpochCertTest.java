package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.testing.TestIdentities;

/** What a signed statement of an epoch proves (protocol.md §9 "Invitations"), without a ledger. */
class EpochCertTest {
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Identity carol = TestIdentities.named("carol");
  private final Founder founder = Founder.draw(alice.card(), new SecureRandom());
  private final String id = founder.groupId();

  private static Epoch epoch(List<PublicCard> members, List<PublicCard> admins) {
    return Forgeries.epoch(members, admins, List.of());
  }

  private EpochCert signed(Identity by, Epoch e, List<AdminLink> credential) {
    return EpochCert.sign(by, id, "trip", e, Optional.of(founder), credential);
  }

  private final Epoch aliceAdmin = epoch(List.of(alice.card(), bob.card(), carol.card()), List.of(alice.card()));

  @Test
  void theFoundersStatementProvesItself() {
    assertThat(signed(alice, aliceAdmin, List.of()).standing()).isEqualTo(EpochCert.Standing.PROVEN);
  }

  @Test
  void aMembersWordIsOnlyThat() {
    assertThat(signed(bob, aliceAdmin, List.of()).standing()).isEqualTo(EpochCert.Standing.UNPROVEN);
  }

  /** The heart of issue 19 item 1: a copy can name as admin only someone whose signature leads to the founder. */
  @Test
  void nobodyCanMakeACopyNamingAsAdminSomeoneWhoNeverSignedIt() {
    Epoch bobAdmin = epoch(List.of(alice.card(), bob.card(), carol.card()), List.of(bob.card()));
    assertThat(signed(bob, bobAdmin, List.of()).standing()).as("Bob names himself").isEqualTo(EpochCert.Standing.UNPROVEN);
    AdminLink madeUp = AdminLink.sign(bob, id, bobAdmin.id(), bob.card()); // Bob appoints himself
    assertThat(signed(bob, bobAdmin, List.of(madeUp)).standing()).isEqualTo(EpochCert.Standing.UNPROVEN);
    EpochCert aliceNamed = signed(bob, aliceAdmin, List.of());
    EpochCert claimedAsAlices = new EpochCert(id, "trip", aliceAdmin.id(), aliceAdmin.parents(), aliceAdmin.members(),
        aliceAdmin.admins(), 0, Optional.of(founder), List.of(), aliceNamed.signature()); // Bob's signature, Alice's name
    assertThat(claimedAsAlices.standing()).isEqualTo(EpochCert.Standing.FORGED);
  }

  @Test
  void anAdminNamedByTheFounderProvesItselfThroughTheLink() {
    Epoch both = epoch(List.of(alice.card(), bob.card(), carol.card()), List.of(alice.card(), bob.card()));
    AdminLink link = AdminLink.sign(alice, id, both.id(), bob.card());
    assertThat(signed(bob, both, List.of(link)).standing()).isEqualTo(EpochCert.Standing.PROVEN);
    AdminLink forCarol = AdminLink.sign(alice, id, both.id(), carol.card());
    assertThat(signed(bob, both, List.of(forCarol)).standing()).as("a link for someone else")
        .isEqualTo(EpochCert.Standing.UNPROVEN);
    AdminLink otherGroup = AdminLink.sign(alice, Founder.draw(alice.card(), new SecureRandom()).groupId(), both.id(),
        bob.card());
    assertThat(signed(bob, both, List.of(otherGroup)).standing()).as("a link of another group")
        .isEqualTo(EpochCert.Standing.UNPROVEN);
  }

  @Test
  void aChainLongerThanTheLimitProvesNothing() {
    List<Identity> admins = new ArrayList<>(List.of(alice));
    List<AdminLink> links = new ArrayList<>();
    for (int i = 0; i <= AdminLink.MAX_CHAIN; i++) {
      Identity next = TestIdentities.named("admin " + i);
      links.add(AdminLink.sign(admins.get(admins.size() - 1), id, aliceAdmin.id(), next.card()));
      admins.add(next);
    }
    Identity last = admins.get(admins.size() - 1);
    Epoch e = epoch(List.of(alice.card(), last.card()), List.of(last.card()));
    assertThat(AdminLink.chain(id, alice.card(), links.subList(0, AdminLink.MAX_CHAIN), admins.get(AdminLink.MAX_CHAIN)
        .card())).isTrue();
    assertThat(signed(last, e, links).standing()).isEqualTo(EpochCert.Standing.UNPROVEN);
  }

  @Test
  void aStatementAlteredAfterSigningOrClaimingAnotherFounderIsForged() {
    EpochCert good = signed(alice, aliceAdmin, List.of());
    EpochCert fewer = new EpochCert(id, "trip", aliceAdmin.id(), List.of(), List.of(alice.card(), bob.card()),
        List.of(alice.card()), 0, Optional.of(founder), List.of(), good.signature());
    assertThat(fewer.standing()).isEqualTo(EpochCert.Standing.FORGED);
    EpochCert renamed = new EpochCert(id, "trap", aliceAdmin.id(), List.of(), aliceAdmin.members(),
        aliceAdmin.admins(), 0, Optional.of(founder), List.of(), good.signature());
    assertThat(renamed.standing()).isEqualTo(EpochCert.Standing.FORGED);
    Founder bobs = Founder.draw(bob.card(), new SecureRandom());
    assertThat(EpochCert.sign(alice, id, "trip", aliceAdmin, Optional.of(bobs), List.of()).standing())
        .as("a founder the id does not commit to").isEqualTo(EpochCert.Standing.FORGED);
    assertThat(EpochCert.sign(alice, id, "trip", aliceAdmin, Optional.empty(), List.of()).standing())
        .as("a founded id without its founder").isEqualTo(EpochCert.Standing.FORGED);
  }

  @Test
  void aLegacyIdCommitsToNobodySoAnAdminsSignatureIsTheProof() {
    String legacy = Base64Url.encode(new byte[16]);
    assertThat(EpochCert.sign(alice, legacy, "old", aliceAdmin, Optional.empty(), List.of()).standing())
        .isEqualTo(EpochCert.Standing.PROVEN);
    assertThat(EpochCert.sign(bob, legacy, "old", aliceAdmin, Optional.empty(), List.of()).standing())
        .isEqualTo(EpochCert.Standing.UNPROVEN);
    assertThat(EpochCert.sign(alice, legacy, "old", aliceAdmin, Optional.of(founder), List.of()).standing())
        .isEqualTo(EpochCert.Standing.FORGED);
  }

  @Test
  void describesOnlyTheEpochItStates() {
    EpochCert c = signed(alice, aliceAdmin, List.of());
    assertThat(c.describes(aliceAdmin)).isTrue();
    assertThat(c.describes(aliceAdmin.as(aliceAdmin.members(), List.of(bob.card()), List.of()))).isFalse();
    assertThat(c.describes(epoch(aliceAdmin.members(), aliceAdmin.admins()))).isFalse();
    assertThat(c.describes(new Epoch(aliceAdmin.id(), aliceAdmin.secret(), aliceAdmin.members(), aliceAdmin.admins(),
        List.of(aliceAdmin.id()), Map.of()))).isFalse();
  }
}
