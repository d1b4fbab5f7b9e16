package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.identity.Identity;

/**
 * A hostile member, or admin, writing {@code GROUP_LINK}s by hand (protocol.md §9 "Join links"): none may
 * give an admin a link, revoke or deny through one, or crash a reader; each case has a control done right.
 */
class AdminLinkAttackTest {
  private final AdminsClub club;

  AdminLinkAttackTest() throws Exception {
    club = new AdminsClub();
  }

  @AfterEach
  void close() {
    club.close();
  }

  /** A link of {@code as}'s own, stated by hand with its box sealed to Alice and Bob. */
  private GroupOp.Link madeUp(Identity as, String groupId, String epochId, List<AdminLink> credential) {
    JoinLink l = JoinLink.create(new SecureRandom(), as.card());
    byte[] secret = l.boxSecret().orElseThrow();
    return new GroupOp.Link(groupId, epochId, l, as.card(), false, List.of(), Map.of(
        Epoch.hex(club.a.card()), AdminsClub.seal(groupId, l, club.a, secret),
        Epoch.hex(club.b.card()), AdminsClub.seal(groupId, l, club.b, secret)), credential);
  }

  private List<AdminLink> credentialOf(ChatClient who) throws Exception {
    return club.of(who).trust().credential().orElseThrow();
  }

  private void write(ChatClient who, Identity as, byte[] body) throws Exception {
    club.write(who, as, club.of(who).current(), body);
  }

  @Test
  void aMemberWhoIsNoAdminCanNeitherStateALinkNorRevokeOrDenyThroughOne() throws Exception {
    String real = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.bob, club.dave);
    AdminsClub.links(club.carol).join(real, "carol", true);
    Group g = club.of(club.dave);
    write(club.dave, club.d, madeUp(club.d, g.id(), g.current().id(), List.of()).encode());
    JoinLink realLink = JoinLink.parse(real).orElseThrow();
    write(club.dave, club.d, new GroupOp.Link(g.id(), g.current().id(), realLink, club.a.card(), true,
        List.of(Epoch.hex(club.c.card())), Map.of(), List.of()).encode()); // "Alice's link, revoked, Carol denied"
    club.update(club.alice, club.bob);
    for (ChatClient admin : List.of(club.alice, club.bob)) {
      assertThat(club.of(admin).activeLinks()).singleElement().satisfies(l -> assertThat(l.toString()).isEqualTo(real));
      assertThat(club.requests(admin)).singleElement().satisfies(r -> assertThat(r.card()).isEqualTo(club.c.card()));
    }
    // Control: the same made-up link, stated by Bob, an admin, with his credential, is taken.
    Group h = club.of(club.bob);
    GroupOp.Link bobs = madeUp(club.b, h.id(), h.current().id(), credentialOf(club.bob));
    write(club.bob, club.b, bobs.encode());
    club.update(club.alice);
    assertThat(club.of(club.alice).activeLinks()).anySatisfy(l -> {
      assertThat(l.toString()).isEqualTo(bobs.link().toString());
      assertThat(l.boxSecret()).isPresent();
    });
  }

  @Test
  void anAdminsOpWithoutItsCredentialOrAFormerAdminsWithItIsRefused() throws Exception {
    Group g = club.of(club.bob);
    List<AdminLink> credential = credentialOf(club.bob);
    write(club.bob, club.b, madeUp(club.b, g.id(), g.current().id(), List.of()).encode()); // no chain to the founder
    club.update(club.alice);
    assertThat(club.of(club.alice).links()).isEmpty();

    AdminsClub.groups(club.alice).setAdmin(club.of(club.alice), club.b.card(), false);
    club.update(club.bob);
    Group after = club.of(club.bob);
    // Bob's credential still verifies (links are never revoked), but he is no admin of the epoch he writes in.
    write(club.bob, club.b, madeUp(club.b, after.id(), after.current().id(), credential).encode());
    club.update(club.alice);
    assertThat(club.of(club.alice).links()).isEmpty();
  }

  @Test
  void junkLinkOpsAreIgnoredAndAValidOneAfterThemIsTaken() throws Exception {
    Group g = club.of(club.bob);
    GroupOp.Link valid = madeUp(club.b, g.id(), g.current().id(), credentialOf(club.bob));
    JsonObject o = JsonParser.parseString(new String(valid.encode(), StandardCharsets.UTF_8)).getAsJsonObject();
    List<String> junk = new java.util.ArrayList<>(List.of("not json", "{}", "[]", "{\"v\":1}", "\u0000",
        "{\"v\":1,\"group\":" + "[".repeat(5000) + "]".repeat(5000) + "}"));
    junk.add(with(o, x -> x.addProperty("extra", 1)));
    junk.add(with(o, x -> x.addProperty("v", 2)));
    junk.add(with(o, x -> x.addProperty("revoked", "yes")));
    junk.add(with(o, x -> x.addProperty("link", x.get("link").getAsString() + " ")));
    junk.add(with(o, x -> x.addProperty("link", "rcg1:short")));
    junk.add(with(o, x -> x.addProperty("maker", "rc2:notacard")));
    junk.add(with(o, x -> x.add("boxes", new JsonArray())));
    junk.add(with(o, x -> x.getAsJsonObject("boxes").addProperty("not hex", "AAAA")));
    junk.add(with(o, x -> {
      JsonArray denied = new JsonArray();
      for (int i = 0; i <= GroupOp.Link.MAX_PER_OP; i++) {
        denied.add(String.format("%064x", i));
      }
      x.add("denied", denied);
    }));
    junk.add(with(o, x -> {
      JsonArray denied = new JsonArray();
      denied.add("ab".repeat(32));
      denied.add("ab".repeat(32));
      x.add("denied", denied);
    }));
    for (String body : junk) {
      assertThat(GroupOp.parse(Groups.LINK, body.getBytes(StandardCharsets.UTF_8))).as(body).isEmpty();
      write(club.bob, club.b, body.getBytes(StandardCharsets.UTF_8));
    }
    club.update(club.alice);
    assertThat(club.of(club.alice).links()).isEmpty();
    write(club.bob, club.b, valid.encode());
    club.update(club.alice);
    assertThat(club.of(club.alice).activeLinks()).singleElement()
        .satisfies(l -> assertThat(l.toString()).isEqualTo(valid.link().toString()));
  }

  private static String with(JsonObject o, java.util.function.Consumer<JsonObject> change) {
    JsonObject copy = o.deepCopy();
    change.accept(copy);
    return copy.toString();
  }

  @Test
  void aLinkOpForAnotherGroupOrAnotherEpochIsRefused() throws Exception {
    Group other = AdminsClub.groups(club.bob).create("other", List.of(club.a.card()));
    Group g = club.of(club.bob);
    String earlier = g.epochs().get(0).id();
    write(club.bob, club.b, madeUp(club.b, other.id(), g.current().id(), List.of()).encode());
    write(club.bob, club.b, madeUp(club.b, g.id(), earlier, credentialOf(club.bob)).encode());
    club.update(club.alice);
    assertThat(club.of(club.alice).links()).isEmpty();
  }

  @Test
  void aReplayedOpDoesNotReopenARevokedLinkNorTakeBackADenial() throws Exception {
    String link = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.bob);
    GroupOp.Link shared = club.linkOps(club.bob).get(0); // Alice's, as Bob read it
    AdminsClub.links(club.carol).join(link, "carol", true);
    AdminsClub.links(club.alice).deny(club.of(club.alice), club.c.card());
    AdminsClub.links(club.alice).revokeLinks(club.of(club.alice));
    club.update(club.bob);
    assertThat(club.of(club.bob).activeLinks()).isEmpty();
    // Alice's client, or the ledger's replay of her page, states the link open again, with no denial.
    Group g = club.of(club.alice);
    write(club.alice, club.a, new GroupOp.Link(g.id(), g.current().id(), shared.link(), club.a.card(), false, List.of(),
        shared.boxes(), credentialOf(club.alice)).encode());
    club.update(club.bob);
    assertThat(club.of(club.bob).activeLinks()).isEmpty();
    assertThat(club.of(club.bob).links()).singleElement().satisfies(l -> {
      assertThat(l.revoked()).isTrue();
      assertThat(l.denied()).containsExactly(Epoch.hex(club.c.card()));
    });
  }

  @Test
  void anotherBoxUnderAHeldBoardOrABoxKeyThatIsNotTheLinksGivesNoKey() throws Exception {
    String link = AdminsClub.links(club.alice).link(club.of(club.alice));
    club.update(club.bob);
    JoinLink held = JoinLink.parse(link).orElseThrow();
    JoinLink mine = JoinLink.create(new SecureRandom(), club.b.card());
    Group g = club.of(club.bob);
    // The board of Alice's link with a box of Bob's: Alice keeps her own box.
    JoinLink swapped = new JoinLink(held.board(), mine.boxPublic(), Optional.empty(), false, List.of(), Optional.empty(),
        List.of());
    write(club.bob, club.b, new GroupOp.Link(g.id(), g.current().id(), swapped, club.b.card(), false, List.of(),
        Map.of(Epoch.hex(club.a.card()), AdminsClub.seal(g.id(), swapped, club.a, mine.boxSecret().orElseThrow())),
        credentialOf(club.bob)).encode());
    // A new link whose sealed key is not the private half of its box.
    JoinLink other = JoinLink.create(new SecureRandom(), club.b.card());
    write(club.bob, club.b, new GroupOp.Link(g.id(), g.current().id(), other, club.b.card(), false, List.of(),
        Map.of(Epoch.hex(club.a.card()), AdminsClub.seal(g.id(), other, club.a, mine.boxSecret().orElseThrow())),
        credentialOf(club.bob)).encode());
    club.update(club.alice);
    Group after = club.of(club.alice);
    assertThat(after.links()).filteredOn(l -> l.sameBoard(held)).singleElement()
        .satisfies(l -> assertThat(l.boxPublic()).isEqualTo(held.boxPublic()));
    assertThat(after.links()).filteredOn(l -> l.sameBoard(other)).singleElement()
        .satisfies(l -> assertThat(l.boxSecret()).isEmpty());
    AdminsClub.links(club.carol).join(link, "carol", true);
    assertThat(club.requests(club.alice)).singleElement().satisfies(r -> assertThat(r.card()).isEqualTo(club.c.card()));
  }

  @Test
  void aLinkOpAtItsBoundsFitsAMessageAndOnePastThemIsNotRead() throws Exception {
    Group g = club.of(club.alice);
    JoinLink l = JoinLink.create(new SecureRandom(), club.a.card());
    Map<String, String> boxes = new java.util.HashMap<>();
    List<String> denied = new java.util.ArrayList<>();
    for (int i = 0; i < GroupOp.Link.MAX_PER_OP; i++) {
      boxes.put(String.format("%064x", i), AdminsClub.seal(g.id(), l, club.b, l.boxSecret().orElseThrow()));
      denied.add(String.format("%064x", i + 1000));
    }
    List<AdminLink> credential = new java.util.ArrayList<>();
    for (int i = 0; i < AdminLink.MAX_CHAIN; i++) {
      credential.add(AdminLink.sign(club.a, g.id(), g.current().id(), club.b.card()));
    }
    byte[] body = new GroupOp.Link(g.id(), g.current().id(), l, club.a.card(), false, denied, boxes, credential).encode();
    assertThat(body.length).isLessThan(org.reschat.core.internal.page.PageLimits.MAX_MESSAGE_BYTES);
    assertThat(GroupOp.parse(Groups.LINK, body)).isPresent();
    JsonObject o = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
    o.getAsJsonObject("boxes").addProperty(String.format("%064x", 9999), boxes.values().iterator().next());
    assertThat(GroupOp.parse(Groups.LINK, o.toString().getBytes(StandardCharsets.UTF_8))).isEmpty();
  }
}
