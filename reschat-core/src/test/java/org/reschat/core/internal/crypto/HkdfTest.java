package org.reschat.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;

/** HKDF-SHA256 on the JDK's HMAC: RFC 5869's vectors for SHA-256 (A.1–A.3), and Bouncy Castle's HKDF as an oracle. */
class HkdfTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  private static byte[] range(int from, int to) {
    byte[] out = new byte[to - from + 1];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) (from + i);
    }
    return out;
  }

  @Test
  void rfc5869TestCase1() {
    assertThat(Hkdf.sha256(hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), hex("000102030405060708090a0b0c"),
        hex("f0f1f2f3f4f5f6f7f8f9"), 42))
        .isEqualTo(hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
    assertThat(Hkdf.extract(hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), hex("000102030405060708090a0b0c")))
        .isEqualTo(hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"));
  }

  @Test
  void rfc5869TestCase2LongInputsAndSeveralBlocks() {
    assertThat(Hkdf.sha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82)).isEqualTo(hex(
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
            + "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"));
  }

  @Test
  void rfc5869TestCase3EmptySaltAndInfo() {
    assertThat(Hkdf.sha256(hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), new byte[0], new byte[0], 42))
        .isEqualTo(hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
  }

  /** What the code used before: Bouncy Castle's HKDF. Every input gives the same bytes. */
  @Property
  void sameBytesAsBouncyCastle(@ForAll @Size(max = 100) byte[] ikm, @ForAll @Size(max = 80) byte[] salt,
      @ForAll @Size(max = 80) byte[] info, @ForAll @IntRange(min = 0, max = 300) int length) {
    HKDFBytesGenerator bc = new HKDFBytesGenerator(new SHA256Digest());
    bc.init(new HKDFParameters(ikm, salt, info));
    byte[] expected = new byte[length];
    bc.generateBytes(expected, 0, length);
    assertThat(Hkdf.sha256(ikm, salt, info, length)).isEqualTo(expected);
    assertThat(Hkdf.expand(Hkdf.extract(ikm, salt), info, length)).isEqualTo(expected);
  }
}
