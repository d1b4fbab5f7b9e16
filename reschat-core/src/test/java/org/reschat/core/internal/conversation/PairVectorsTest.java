package org.reschat.core.internal.conversation;

import static org.reschat.core.testing.VectorKeys.alice;
import static org.reschat.core.testing.VectorKeys.bob;
import static org.reschat.core.testing.VectorKeys.range;
import static org.reschat.core.testing.VectorKeys.x25519Public;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.internal.identity.Secrets;

/**
 * The pair epoch vectors of docs/protocol.md §3.1, computed from §14's keys and compared with the published block
 * (the message prints the block to paste); the {@code PAIR_ROTATE} body opens for Bob and for Alice's device 1 with
 * their secrets alone, and for nobody else: not Carol, not another device of Alice's.
 */
class PairVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Alice's linked device {@code number} whose X25519 device secret is {@code dx} (its Ed25519 seed 80 81 … 9f). */
  private static Identity aliceDevice(int number, byte[] dx) {
    byte[] identity = Secrets.of(alice()).export();
    byte[] keys = new byte[Identity.DEVICE_KEY_BYTES];
    System.arraycopy(identity, 32, keys, 0, 64);
    System.arraycopy(range(0x80, 32), 0, keys, 64, 32);
    System.arraycopy(dx, 0, keys, 96, 32);
    return Identity.linkedDevice(alice().card(), number, keys);
  }

  static Map<String, String> computed() {
    Identity alice = alice();
    Identity bob = bob();
    byte[] secret = range(0x60, 32); // a stand-in: a real one is drawn at random
    String epoch = PairRotate.epochId(alice, bob.card(), secret);
    Conversation next = Conversation.of(alice, secret, List.of(alice.card(), bob.card()));
    Map<String, String> out = new LinkedHashMap<>();
    out.put("pair.epoch1.secret", HEX.formatHex(secret));
    out.put("pair.epoch1.id", epoch);
    out.put("pair.epoch1.alice.page1.key", next.pageKey(next.feed(next.indexOf(alice.card())), 1));
    out.put("pair.rotate.aad", HEX.formatHex(PairRotate.aad(alice.card(), bob.card(), epoch)));
    out.put("pair.rotate.body", new String(PairRotate.body(alice, bob.card(), secret,
        Map.of(1, x25519Public(range(0xa0, 32))), Hpke.withDeterministicEphemeralsForTestVectorsOnly(new byte[32])),
        StandardCharsets.UTF_8));
    return out;
  }

  static Map<String, String> published() throws Exception {
    return org.reschat.core.testing.PublishedVectors.in("pair-vectors");
  }

  @Test
  void theDocumentPublishesExactlyTheseVectorsAndTheBodyOpensForTheFriendAndTheRemainingDeviceOnly() throws Exception {
    Map<String, String> expected = computed();
    StringBuilder block = new StringBuilder();
    expected.forEach((k, v) -> block.append(k).append(": ").append(v).append('\n'));
    assertThat(published()).as("docs/protocol.md ```pair-vectors block; expected:%n%s", block).isEqualTo(expected);
    byte[] body = expected.get("pair.rotate.body").getBytes(StandardCharsets.UTF_8);
    byte[] secret = range(0x60, 32);
    assertThat(PairRotate.open(bob(), alice().card(), alice().card(), body)).hasValueSatisfying(p -> assertThat(p).isEqualTo(secret));
    assertThat(PairRotate.open(aliceDevice(1, range(0xa0, 32)), bob().card(), alice().card(), body))
        .hasValueSatisfying(p -> assertThat(p).isEqualTo(secret));
    // Another device of Alice's (the revoked one: it holds her identity's secrets, not device 1's key), and Carol.
    assertThat(PairRotate.open(aliceDevice(1, range(0xc0, 32)), bob().card(), alice().card(), body)).isEmpty();
    assertThat(PairRotate.open(aliceDevice(2, range(0xc0, 32)), bob().card(), alice().card(), body)).isEmpty();
    Identity carol = Identity.importPrivateKeys(range(0x20, 64));
    assertThat(PairRotate.open(carol, alice().card(), alice().card(), body)).isEmpty();
  }
}
