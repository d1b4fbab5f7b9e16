package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.reschat.core.GroupException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.testing.TestIdentities;

/**
 * The wire format of group ops: each encoding parses back to itself, anything not exactly an op is refused,
 * and no bytes a hostile member can seal make a parser throw (the parsers have no catch-all to hide behind).
 */
class GroupOpTest {
  private static final Identity ALICE = TestIdentities.named("alice");
  private static final PublicCard A = ALICE.card();
  private static final PublicCard B = TestIdentities.named("bob").card();
  private static final PublicCard C = TestIdentities.named("carol").card();
  private static final Founder FOUNDER = new Founder(A, new byte[16]);
  private static final String ID = FOUNDER.groupId();
  private static final Epoch E0 = Forgeries.epoch(List.of(A, B), List.of(A), List.of());
  private static final Epoch E1 = new Epoch(Epoch.idOf(new byte[32]), new byte[32], List.of(A, B, C), List.of(A),
      List.of(E0.id()), Map.of(Epoch.hex(B), new Epoch.Cut(3, 4)));
  private static final AdminLink LINK = AdminLink.sign(ALICE, ID, E1.id(), B);

  static List<GroupOp> samples() {
    EpochCert cert = EpochCert.sign(ALICE, ID, "trip", E1, Optional.of(FOUNDER), List.of());
    return List.of(
        new GroupOp.Invite(ID, "trip", List.of(E0, E1), Optional.of(cert)),
        new GroupOp.Rotate(ID, E0.id(), E1.id(), List.of(1, 0), List.of(C), List.of(A), Map.of(Epoch.hex(B),
            new Epoch.Cut(2, 5)), List.of("", "AAAA", "AAAA"), List.of()),
        new GroupOp.Rotate(ID, E0.id(), E1.id(), List.of(0, 1), List.of(), List.of(A, B), Map.of(),
            List.of("", "AAAA"), List.of(LINK)),
        new GroupOp.Leave(ID, E0.id(), List.of()),
        new GroupOp.Leave(ID, E0.id(), List.of(LINK)),
        new GroupOp.Entrust(ID, E1.id(), List.of(E0.id(), E1.id()), List.of(A, B), List.of(A), Map.of(Epoch.hex(B), "AAAA")),
        new GroupOp.Confirm(EpochCert.sign(ALICE, ID, "trip", E1, Optional.of(FOUNDER), List.of(LINK))));
  }

  @Test
  void everyOpRoundTrips() {
    for (GroupOp op : samples()) {
      Optional<GroupOp> back = GroupOp.parse(op.type(), op.encode());
      assertThat(back).as(op.type()).isPresent();
      assertThat(back.get().encode()).as(op.type()).isEqualTo(op.encode());
    }
    GroupOp.Invite invite = (GroupOp.Invite) GroupOp.parse(Groups.INVITE, samples().get(0).encode()).orElseThrow();
    assertThat(invite.cert().orElseThrow().standing()).isEqualTo(EpochCert.Standing.PROVEN);
    assertThat(invite.current().cuts()).isEqualTo(E1.cuts());
  }

  @Test
  void refusesWhatIsNotExactlyAnOp() {
    for (GroupOp op : samples()) {
      String good = new String(op.encode(), StandardCharsets.UTF_8);
      for (String bad : List.of("", "{}", "[]", good + " x", good.replace("}", ",\"extra\":1}"),
          good.replaceFirst("\"v\":[12]", "\"v\":3"), good.replace(ID, ID.substring(1)),
          good.replace(E0.id(), E0.id() + "A"), good.replace(A.toString(), A.toString().replace('A', 'B')),
          good.replace("\"AAAA\"", "\"AAA=\""), good.replace(E1.id(), E0.id() + "+" + E0.id()))) {
        if (!bad.equals(good)) {
          assertThat(GroupOp.parse(op.type(), bad.getBytes(StandardCharsets.UTF_8))).as(op.type() + ": " + bad).isEmpty();
        }
      }
    }
  }

  @Test
  void membersTwiceIndicesOutOfRangeAndTooManyMembersAreRefused() {
    String rotate = new String(samples().get(1).encode(), StandardCharsets.UTF_8);
    assertThat(GroupOp.parse(Groups.ROTATE, rotate.replace("\"keep\":[1,0]", "\"keep\":[1,1]")
        .getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(GroupOp.parse(Groups.ROTATE, rotate.replace("\"keep\":[1,0]", "\"keep\":[1,64]")
        .getBytes(StandardCharsets.UTF_8))).isEmpty();
    GroupOp.Rotate r = (GroupOp.Rotate) samples().get(1);
    assertThat(r.members(Forgeries.epoch(List.of(A), List.of(A), List.of()))).as("an index past the old members").isEmpty();
    String invite = new String(samples().get(0).encode(), StandardCharsets.UTF_8);
    assertThat(GroupOp.parse(Groups.INVITE, invite.replace("\"signer\":0", "\"signer\":3")
        .getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(GroupOp.parse(Groups.INVITE, invite.replace("\"admins\":[0]", "\"admins\":[0,0]")
        .getBytes(StandardCharsets.UTF_8))).isEmpty();
    StringBuilder many = new StringBuilder();
    for (int i = 0; i <= Groups.MAX_MEMBERS; i++) {
      many.append(i == 0 ? "" : ",").append('"').append(TestIdentities.named("m" + i).card()).append('"');
    }
    String tooMany = rotate.replace("\"add\":[\"" + C + "\"]", "\"add\":[" + many + "]");
    assertThat(tooMany).isNotEqualTo(rotate);
    assertThat(GroupOp.parse(Groups.ROTATE, tooMany.getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @Property(tries = 3000)
  void anyBytesParseOrAreRefusedWithoutThrowing(@ForAll("mutated") byte[] body, @ForAll("types") String type) {
    GroupOp.parse(type, body).ifPresent(op -> assertThat(GroupOp.parse(type, op.encode()).map(GroupOp::encode))
        .contains(op.encode()));
  }

  @Provide
  Arbitrary<String> types() {
    return Arbitraries.of(Groups.INVITE, Groups.ROTATE, Groups.LEAVE, Groups.ENTRUST, Groups.CONFIRM);
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    Arbitrary<byte[]> flips = Arbitraries.of(samples()).flatMap(op -> {
      byte[] good = op.encode();
      return Arbitraries.integers().between(0, good.length - 1).list().ofMaxSize(4).map(ix -> {
        byte[] b = good.clone();
        for (int i : ix) {
          b[i] = (byte) (b[i] ^ (1 << (i % 8)));
        }
        return b;
      });
    });
    return Arbitraries.oneOf(flips, Arbitraries.bytes().array(byte[].class).ofMaxSize(400));
  }

  /** A member's stored state: whatever is on disk either parses or is one typed error, never another exception. */
  @Property(tries = 1000)
  void aDamagedGroupStateIsATypedErrorNeverACrash(@ForAll("states") byte[] json) {
    try {
      GroupCodec.parse(new String(json, StandardCharsets.UTF_8));
    } catch (GroupException expected) {
      assertThat(expected.reason()).isEqualTo(GroupException.Reason.MALFORMED);
    }
  }

  @Provide
  Arbitrary<byte[]> states() {
    Group g = new Group(ID, "trip", List.of(E0, E1), Group.Status.ACTIVE, Optional.empty(), List.of(),
        new GroupTrust(Optional.of(FOUNDER), Optional.of(B), Optional.of(List.of(LINK))));
    byte[] good = GroupCodec.toJson(g).getBytes(StandardCharsets.UTF_8);
    return Arbitraries.integers().between(0, good.length - 1).list().ofMaxSize(3).map(ix -> {
      byte[] b = good.clone();
      for (int i : ix) {
        b[i] = (byte) (b[i] ^ (1 << (i % 8)));
      }
      return b;
    });
  }

  /** A group kept by the version before founders (22-character id, no proof fields) reads as a legacy group. */
  @Test
  void aStateKeptByTheVersionBeforeFoundersStillReads() throws Exception {
    String old = "{\"v\":1,\"id\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"name\":\"trip\",\"status\":\"active\",\"epochs\":[{\"secret\":\""
        + org.reschat.core.internal.crypto.Base64Url.encode(E0.secret()) + "\",\"members\":[\"" + A + "\",\"" + B + "\"],\"admins\":[\""
        + A + "\"],\"parent\":\"\",\"cuts\":{}}],\"links\":[]}";
    Group g = GroupCodec.parse(old);
    assertThat(g.trust()).isEqualTo(GroupTrust.LEGACY);
    assertThat(g.confirmed()).isTrue();
    assertThat(g.current().id()).isEqualTo(E0.id());
    assertThat(g.current().parents()).isEmpty();
  }

  @Test
  void aGroupStateRoundTripsWithWhatItCanProve() throws Exception {
    Group g = new Group(ID, "trip", List.of(E0, E1), Group.Status.ACTIVE, Optional.empty(), List.of(),
        new GroupTrust(Optional.of(FOUNDER), Optional.of(B), Optional.of(List.of(LINK))));
    Group back = GroupCodec.parse(GroupCodec.toJson(g));
    assertThat(GroupCodec.toJson(back)).isEqualTo(GroupCodec.toJson(g));
    assertThat(back.trust()).isEqualTo(g.trust());
  }
}
