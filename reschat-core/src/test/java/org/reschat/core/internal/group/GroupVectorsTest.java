package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.testing.VectorKeys;

/**
 * The group vectors of docs/protocol.md §9 (founded ids, signed epoch statements, admin links, a join link
 * shared with an admin), computed from fixed keys and compared with the published block. Ed25519 signatures
 * are deterministic (RFC 8032), and the link's box is sealed with HPKE ephemerals drawn from a fixed seed, so
 * every byte is fixed. If this fails the format changed or the document is stale; the message prints the
 * block to paste.
 */
class GroupVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  static Identity fromByteRange(int first) {
    byte[] keys = new byte[64];
    for (int i = 0; i < 64; i++) {
      keys[i] = (byte) (first + i);
    }
    return Identity.importPrivateKeys(keys);
  }

  static String expected() {
    Identity alice = fromByteRange(0x00);
    Identity bob = fromByteRange(0x40);
    byte[] nonce = new byte[16];
    for (int i = 0; i < 16; i++) {
      nonce[i] = (byte) i;
    }
    Founder founder = new Founder(alice.card(), nonce);
    String id = founder.groupId();
    byte[] secret = new byte[32];
    for (int i = 0; i < 32; i++) {
      secret[i] = (byte) (0x20 + i);
    }
    Epoch first = new Epoch(Epoch.idOf(secret), secret, List.of(alice.card(), bob.card()), List.of(alice.card()),
        List.of(), Map.of());
    EpochCert byAlice = EpochCert.sign(alice, id, "trip", first, Optional.of(founder), List.of());
    AdminLink link = AdminLink.sign(alice, id, first.id(), bob.card());
    Epoch both = first.as(first.members(), List.of(alice.card(), bob.card()), List.of());
    EpochCert byBob = EpochCert.sign(bob, id, "trip", both, Optional.of(founder), List.of(link));
    byte[] roster = Roster.plaintext(id, first);
    byte[] rosterHash = Roster.hash(roster);
    String location = Roster.location(secret, rosterHash);
    byte[] salt = new byte[16];
    for (int i = 0; i < 16; i++) {
      salt[i] = (byte) (0x40 + i);
    }
    String rosterValue = Base64Url.encode(new org.reschat.core.internal.crypto.OneTimeKeyAead(secret,
        "reschat/v2 group roster".getBytes(StandardCharsets.UTF_8)).encryptWithSaltForTestVectorsOnly(salt, roster,
            location.getBytes(StandardCharsets.UTF_8)));
    Epoch opened = ((Roster.Found) Roster.open(id, secret, rosterHash, Optional.of(rosterValue))).epoch();
    assertThat(List.of(opened.id(), opened.members(), opened.admins(), opened.parents(), opened.cuts()))
        .isEqualTo(List.of(first.id(), first.members(), first.admins(), first.parents(), first.cuts()));
    byte[] invite = RosterInvite.of(new GroupOp.Invite(id, "trip", List.of(first), Optional.of(byAlice))).encode();
    byte[] board = VectorKeys.range(0x60, 16);
    byte[] boxSecret = VectorKeys.range(0x70, 32);
    JoinLink joinLink = new JoinLink(board, JoinLink.publicOf(boxSecret), Optional.of(boxSecret), false, List.of(),
        Optional.of(alice.card()), List.of());
    String box = LinkSharing.sealBox(org.reschat.core.internal.crypto.Hpke.withDeterministicEphemeralsForTestVectorsOnly(
        VectorKeys.range(0x90, 32)), id, joinLink, boxSecret, bob.card());
    assertThat(LinkSharing.openBox(bob, id, joinLink, box)).hasValueSatisfying(k -> assertThat(k).isEqualTo(boxSecret));
    assertThat(LinkSharing.openBox(alice, id, joinLink, box)).isEmpty();
    Identity carol = fromByteRange(0x80); // a requester Alice denied
    GroupOp.Link linkOp = new GroupOp.Link(id, first.id(), joinLink, alice.card(), false,
        List.of(Epoch.hex(carol.card())), Map.of(Epoch.hex(bob.card()), box), List.of());
    assertThat(GroupOp.Link.parse(linkOp.encode())).hasValueSatisfying(op -> assertThat(op.boxes())
        .isEqualTo(linkOp.boxes()));
    assertThat(byAlice.standing()).isEqualTo(EpochCert.Standing.PROVEN);
    assertThat(byBob.standing()).isEqualTo(EpochCert.Standing.PROVEN);
    return "founder.card: " + alice.card() + "\n"
        + "founder.nonce: " + HEX.formatHex(nonce) + "\n"
        + "group.id: " + id + "\n"
        + "epoch.secret: " + HEX.formatHex(secret) + "\n"
        + "epoch.id: " + first.id() + "\n"
        + "statement.alice.signed: " + HEX.formatHex(byAlice.signedBytes()) + "\n"
        + "statement.alice.sig: " + Base64Url.encode(byAlice.signature()) + "\n"
        + "link.bob.signed: " + HEX.formatHex(AdminLink.signed(id, first.id(), bob.card())) + "\n"
        + "link.bob.sig: " + Base64Url.encode(link.signature()) + "\n"
        + "statement.bob.signed: " + HEX.formatHex(byBob.signedBytes()) + "\n"
        + "statement.bob.sig: " + Base64Url.encode(byBob.signature()) + "\n"
        + "confirm.bob: " + new String(new GroupOp.Confirm(byBob).encode(), StandardCharsets.UTF_8) + "\n"
        + "roster.plaintext: " + new String(roster, StandardCharsets.UTF_8) + "\n"
        + "roster.hash: " + Base64Url.encode(rosterHash) + "\n"
        + "roster.location: " + location + "\n"
        + "roster.salt: " + HEX.formatHex(salt) + "\n"
        + "roster.value: " + rosterValue + "\n"
        + "invite.alice.v3: " + new String(invite, StandardCharsets.UTF_8) + "\n"
        + "joinlink.board: " + HEX.formatHex(board) + "\n"
        + "joinlink.box.secret: " + HEX.formatHex(boxSecret) + "\n"
        + "joinlink.text: " + joinLink + "\n"
        + "joinlink.box.bob: " + box + "\n"
        + "joinlink.op.alice: " + new String(linkOp.encode(), StandardCharsets.UTF_8) + "\n";
  }


  @Test
  void theDocumentPublishesExactlyTheseVectors() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "protocol.md"));
    int start = doc.indexOf("```group-vectors\n");
    String published = "";
    if (start >= 0) {
      int from = start + "```group-vectors\n".length();
      published = doc.substring(from, doc.indexOf("```", from));
    }
    assertThat(published).as("docs/protocol.md ```group-vectors block; expected:%n%s", expected()).isEqualTo(expected());
  }
}
