package org.reschat.core.internal.requests;

import static org.reschat.core.testing.VectorKeys.alice;
import static org.reschat.core.testing.VectorKeys.bob;
import static org.reschat.core.testing.VectorKeys.range;
import static org.reschat.core.testing.VectorKeys.x25519Public;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.YearMonth;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hpke;

/**
 * The vectors of a message request sealed to devices (docs/protocol.md §13, {@code request-vectors}): Bob's request
 * to Alice, whose list names device 0 ({@code DX_0} = c0 … df) and device 1 ({@code DX_1} = a0 … bf) and a revoked
 * one, rebuilt byte for byte (HPKE ephemerals from a zero seed, throwaway keys and order from {@code
 * SplittableRandom(0)}); it opens with either device secret and not with Alice's identity secret alone, nor with
 * another device key.
 */
class RequestVectorsTest {
  private static final YearMonth MONTH = YearMonth.of(2026, 12);

  private static String key() {
    return Inbox.board(alice().card(), MONTH).key(1);
  }

  static Map<String, String> computed() {
    byte[] payload = Inbox.sealToDevices(List.of(x25519Public(range(0xc0, 32)), x25519Public(range(0xa0, 32))), bob().card(),
        key(), Hpke.withDeterministicEphemeralsForTestVectorsOnly(new byte[32]), new SplittableRandom(0));
    Map<String, String> out = new LinkedHashMap<>();
    out.put("inbox.2026-12.alice.slot1.key", key());
    out.put("request.devices.value", Board.encode(payload));
    return out;
  }

  static Map<String, String> published() throws Exception {
    return org.reschat.core.testing.PublishedVectors.in("request-vectors");
  }

  @Test
  void theDocumentPublishesExactlyTheseVectorsAndTheRequestOpensForTheTwoDevicesOnly() throws Exception {
    Map<String, String> expected = computed();
    StringBuilder block = new StringBuilder();
    expected.forEach((k, v) -> block.append(k).append(": ").append(v).append('\n'));
    assertThat(published()).as("docs/protocol.md ```request-vectors block; expected:%n%s", block).isEqualTo(expected);
    byte[] value = Base64Url.decode(expected.get("request.devices.value")).orElseThrow();
    assertThat(value[0]).isEqualTo((byte) 2);
    byte[] payload = java.util.Arrays.copyOfRange(value, 1, value.length);
    assertThat(payload).hasSize(Inbox.DEVICE_REQUEST);
    for (byte[] dx : List.of(range(0xc0, 32), range(0xa0, 32))) {
      assertThat(Inbox.open(alice(), Optional.of(dx), key(), payload)).contains(bob().card());
    }
    // The revoked device: the identity's secret, its own device key; neither opens it.
    assertThat(Inbox.open(alice(), Optional.empty(), key(), payload)).isEmpty();
    assertThat(Inbox.open(alice(), Optional.of(range(0xe0, 32)), key(), payload)).isEmpty();
    assertThat(Inbox.open(alice(), Optional.of(range(0xa0, 32)), Inbox.board(alice().card(), MONTH).key(2), payload))
        .as("moved to another slot").isEmpty();
  }
}
