package org.reschat.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/** STREAM over ChaCha20-Poly1305: the nonce binds index and last flag, checked against Bouncy Castle. */
class ChunkStreamAeadTest {
  private static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  private static final byte[] PLAIN = "chunk".getBytes(StandardCharsets.US_ASCII);

  @Test
  void theNonceIsSevenZerosTheIndexAndTheLastFlag() {
    assertThat(HexFormat.of().formatHex(ChunkStreamAead.nonce(5, true))).isEqualTo("00000000000000" + "00000005" + "01");
    assertThat(HexFormat.of().formatHex(ChunkStreamAead.nonce(0xfffffffeL, false))).isEqualTo("00000000000000fffffffe00");
    assertThatThrownBy(() -> ChunkStreamAead.nonce(1L << 32, false)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void matchesAnIndependentChaCha20Poly1305AndThePinnedVector() throws Exception {
    byte[] sealed = ChunkStreamAead.seal(KEY, 1, true, PLAIN);
    ChaCha20Poly1305 bc = new ChaCha20Poly1305();
    bc.init(true, new AEADParameters(new KeyParameter(KEY), 128, ChunkStreamAead.nonce(1, true),
        "reschat/v2 file chunk".getBytes(StandardCharsets.US_ASCII)));
    byte[] expected = new byte[bc.getOutputSize(PLAIN.length)];
    int len = bc.processBytes(PLAIN, 0, PLAIN.length, expected, 0);
    bc.doFinal(expected, len);
    assertThat(sealed).isEqualTo(expected);
    assertThat(HexFormat.of().formatHex(sealed)).isEqualTo(VECTOR); // docs/protocol.md §10.5
    assertThat(ChunkStreamAead.open(KEY, 1, true, sealed)).isEqualTo(PLAIN);
  }

  static final String VECTOR = "622b77c4b28ee3e6c33befbeb69747368f2a3aeec0";

  @Test
  void aChunkAtAnotherIndexOrWithAnotherLastFlagDoesNotOpen() {
    byte[] sealed = ChunkStreamAead.seal(KEY, 3, false, PLAIN);
    assertThatThrownBy(() -> ChunkStreamAead.open(KEY, 4, false, sealed)).isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
    assertThatThrownBy(() -> ChunkStreamAead.open(KEY, 3, true, sealed)).isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
    byte[] flipped = sealed.clone();
    flipped[0] ^= 1;
    assertThatThrownBy(() -> ChunkStreamAead.open(KEY, 3, false, flipped)).isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
    assertThatThrownBy(() -> ChunkStreamAead.open(KEY, 3, false, new byte[15])).isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
  }
}
