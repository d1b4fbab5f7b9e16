package org.reschat.core.internal.crypto;

import org.reschat.core.internal.identity.Secrets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * Known-answer tests for every primitive the protocol uses, with the vectors of the RFCs that define
 * them: RFC 9180 (HPKE, the exact suite: join requests), RFC 8439 (ChaCha20-Poly1305), RFC 5869 (HKDF-SHA256), RFC 8032 (Ed25519), RFC 7748 (X25519).
 */
class KnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] hex(String s) {
    return HEX.parseHex(s);
  }

  // RFC 9180 Appendix A.2.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305, mode_base.
  private static final byte[] INFO = hex("4f6465206f6e2061204772656369616e2055726e");
  private static final byte[] IKM_E = hex("909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b");
  private static final byte[] PK_EM = hex("1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a");
  private static final byte[] SK_EM = hex("f4ec9b33b792c372c1d2c2063507b684ef925b8c75a42dbcbf57d63ccd381600");
  private static final byte[] IKM_R = hex("1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df");
  private static final byte[] PK_RM = hex("4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a");
  private static final byte[] SK_RM = hex("8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb");
  private static final byte[] PT = hex("4265617574792069732074727574682c20747275746820626561757479");
  private static final byte[] AAD_0 = hex("436f756e742d30");
  private static final byte[] CT_0 = hex("1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28");
  private static final byte[] EXPORT_CONTEXT = hex("54657374436f6e74657874");
  private static final byte[] EXPORTED = hex("5acb09211139c43b3090489a9da433e8a30ee7188ba8b0a9a1ccf0c229283e53");

  @Test
  void rfc9180DeriveKeyPairGivesThePublishedKeys() {
    HPKE hpke = Hpke.suite();
    AsymmetricCipherKeyPair e = hpke.deriveKeyPair(IKM_E);
    AsymmetricCipherKeyPair r = hpke.deriveKeyPair(IKM_R);
    assertThat(((X25519PrivateKeyParameters) e.getPrivate()).getEncoded()).isEqualTo(SK_EM);
    assertThat(((X25519PublicKeyParameters) e.getPublic()).getEncoded()).isEqualTo(PK_EM);
    assertThat(((X25519PrivateKeyParameters) r.getPrivate()).getEncoded()).isEqualTo(SK_RM);
    assertThat(((X25519PublicKeyParameters) r.getPublic()).getEncoded()).isEqualTo(PK_RM);
  }

  @Test
  void rfc9180SealThroughOurWrapperGivesThePublishedEncAndCiphertext() throws Exception {
    Hpke fixed = new Hpke(h -> h.deriveKeyPair(IKM_E));
    byte[] sealed = fixed.seal(PK_RM, INFO, AAD_0, PT);
    assertThat(java.util.Arrays.copyOfRange(sealed, 0, 32)).isEqualTo(PK_EM); // enc = pkEm
    assertThat(java.util.Arrays.copyOfRange(sealed, 32, sealed.length)).isEqualTo(CT_0);
    assertThat(sealed.length).isEqualTo(PT.length + Hpke.OVERHEAD);
    assertThat(Hpke.open(SK_RM, PK_RM, INFO, AAD_0, sealed)).isEqualTo(PT);
  }

  @Test
  void rfc9180ReceiverContextExportsThePublishedValue() throws Exception {
    HPKE hpke = Hpke.suite();
    HPKEContext context = hpke.setupBaseR(PK_EM, hpke.deserializePrivateKey(SK_RM, PK_RM), INFO);
    assertThat(context.open(AAD_0, CT_0)).isEqualTo(PT);
    assertThat(context.export(EXPORT_CONTEXT, 32)).isEqualTo(EXPORTED);
  }

  @Test
  void hpkeRejectsWrongAadInfoKeyAndAlteredBytes() {
    Hpke fixed = new Hpke(h -> h.deriveKeyPair(IKM_E));
    byte[] sealed = fixed.seal(PK_RM, INFO, AAD_0, PT);
    assertThatThrownBy(() -> Hpke.open(SK_RM, PK_RM, INFO, hex("00"), sealed)).isInstanceOf(Hpke.OpenFailedException.class);
    assertThatThrownBy(() -> Hpke.open(SK_RM, PK_RM, hex("00"), AAD_0, sealed)).isInstanceOf(Hpke.OpenFailedException.class);
    for (int i = 0; i < sealed.length; i += 7) {
      byte[] altered = sealed.clone();
      altered[i] ^= 0x01;
      assertThatThrownBy(() -> Hpke.open(SK_RM, PK_RM, INFO, AAD_0, altered)).isInstanceOf(Hpke.OpenFailedException.class);
    }
    assertThatThrownBy(() -> Hpke.open(SK_RM, PK_RM, INFO, AAD_0, new byte[10])).isInstanceOf(Hpke.OpenFailedException.class);
    byte[] lowOrderEnc = sealed.clone();
    java.util.Arrays.fill(lowOrderEnc, 0, 32, (byte) 0);
    assertThatThrownBy(() -> Hpke.open(SK_RM, PK_RM, INFO, AAD_0, lowOrderEnc)).isInstanceOf(Hpke.OpenFailedException.class);
  }

  @Test
  void standardSealsUseFreshEphemeralKeys() throws Exception {
    byte[] a = Hpke.standard().seal(PK_RM, INFO, AAD_0, PT);
    byte[] b = Hpke.standard().seal(PK_RM, INFO, AAD_0, PT);
    assertThat(a).isNotEqualTo(b);
    assertThat(Hpke.open(SK_RM, PK_RM, INFO, AAD_0, a)).isEqualTo(PT);
    assertThat(Hpke.open(SK_RM, PK_RM, INFO, AAD_0, b)).isEqualTo(PT);
  }

  // RFC 8439 §2.8.2: the AEAD_CHACHA20_POLY1305 test vector, through the class every seal goes through.
  @Test
  void rfc8439ChaCha20Poly1305() throws Exception {
    byte[] key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] nonce = hex("070000004041424344454647");
    byte[] aad = hex("50515253c0c1c2c3c4c5c6c7");
    byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
        + " sunscreen would be it.").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] expected = hex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b"
        + "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d"
        + "26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691");
    assertThat(OneTimeKeyAead.chacha20Poly1305(true, key, nonce, aad, plaintext)).isEqualTo(expected);
    assertThat(OneTimeKeyAead.chacha20Poly1305(false, key, nonce, aad, expected)).isEqualTo(plaintext);
    byte[] altered = expected.clone();
    altered[0] ^= 1;
    assertThatThrownBy(() -> OneTimeKeyAead.chacha20Poly1305(false, key, nonce, aad, altered))
        .isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
  }

  // RFC 5869 Appendix A.1: HKDF-SHA256 test case 1.
  @Test
  void rfc5869HkdfSha256() {
    byte[] okm = Hkdf.sha256(hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), hex("000102030405060708090a0b0c"),
        hex("f0f1f2f3f4f5f6f7f8f9"), 42);
    assertThat(okm).isEqualTo(hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
  }

  @Test
  void everyEncryptionUsesAFreshKeyAndOpensOnlyWithItsSecretAndAad() throws Exception {
    OneTimeKeyAead aead = new OneTimeKeyAead(new byte[32], "test".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    byte[] plaintext = "same message".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] a = aead.encrypt(plaintext, hex("01"));
    byte[] b = aead.encrypt(plaintext, hex("01"));
    assertThat(a).isNotEqualTo(b).hasSize(plaintext.length + OneTimeKeyAead.OVERHEAD);
    assertThat(aead.keyOf(a)).isNotEqualTo(aead.keyOf(b));
    assertThat(aead.decrypt(a, hex("01"))).isEqualTo(plaintext);
    assertThat(aead.decrypt(a, hex("01"))).as("the same value opened twice in a row").isEqualTo(plaintext);
    assertThat(OneTimeKeyAead.openWithKey(aead.keyOf(b), b, hex("01"))).isEqualTo(plaintext);
    assertThatThrownBy(() -> aead.decrypt(a, hex("02"))).isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
    assertThat(aead.decrypt(a, hex("01"))).as("the thread's cipher, after a failed open of the same value").isEqualTo(plaintext);
    byte[] messageKey = aead.keyOf(b);
    byte[] wrapped = aead.wrapKeyUnderSaltOf(a, messageKey);
    assertThat(wrapped).isNotEqualTo(messageKey);
    assertThat(aead.unwrapKeyUnderSaltOf(a, wrapped)).as("unwrapped right after, with the same key and nonce").isEqualTo(messageKey);
    assertThat(aead.unwrapKeyUnderSaltOf(a, wrapped)).as("and again").isEqualTo(messageKey);
    assertThat(Sha.sha256(hex("616263"))).as("FIPS 180-2 'abc', then again from the thread's digest")
        .isEqualTo(hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")).isEqualTo(Sha.sha256(hex("61"), hex("6263")));
    byte[] other = new byte[32];
    other[0] = 1;
    OneTimeKeyAead wrongSecret = new OneTimeKeyAead(other, "test".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> wrongSecret.decrypt(a, hex("01"))).isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
    OneTimeKeyAead wrongLabel = new OneTimeKeyAead(new byte[32], "tesT".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> wrongLabel.decrypt(a, hex("01"))).isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
    assertThatThrownBy(() -> aead.decrypt(new byte[10], hex("01"))).isInstanceOf(OneTimeKeyAead.OpenFailedException.class);
  }

  // RFC 8032 §7.1, TEST 1 and TEST 2.
  @Test
  void rfc8032Ed25519SignaturesThroughIdentity() {
    String[][] vectors = {
        {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
        {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    };
    for (String[] v : vectors) {
      Identity id = Identity.importPrivateKeys(concat(hex(v[0]), new byte[32]));
      assertThat(id.card().signingKey()).isEqualTo(hex(v[1]));
      byte[] signature = Secrets.of(id).sign(hex(v[2]));
      assertThat(signature).isEqualTo(hex(v[3]));
      assertThat(id.card().verify(hex(v[2]), signature)).isTrue();
      assertThat(id.card().verify(hex("ff"), signature)).isFalse();
      VerifyingKey kept = new VerifyingKey(hex(v[1]));
      assertThat(kept.verify(hex(v[2]), signature)).as("the key decoded once").isTrue();
      assertThat(kept.verify(hex("ff"), signature)).isFalse();
      assertThat(kept.verify(hex(v[2]), signature)).as("and again, from the kept point").isTrue();
    }
  }

  /** A key decoded once accepts and refuses exactly what Bouncy Castle's verify over the key bytes does. */
  @Test
  void aKeptVerifyingKeyAgreesWithTheByteKeyVerifyOnGoodBadAndNonPointKeys() {
    java.util.Random random = new java.util.Random(24);
    byte[] message = hex("7265736368617420706167652064696765737421");
    java.util.List<byte[]> keys = new java.util.ArrayList<>(java.util.List.of(
        hex("0100000000000000000000000000000000000000000000000000000000000000"), // the neutral point: small order
        hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // y = p - 1: order 2
        hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"), // y = p: not canonical
        hex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")));
    java.util.List<byte[]> signatures = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] seed = new byte[32];
      random.nextBytes(seed);
      byte[] key = new byte[32];
      org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(seed, 0, key, 0);
      byte[] signature = new byte[64];
      org.bouncycastle.math.ec.rfc8032.Ed25519.sign(seed, 0, key, 0, message, 0, message.length, signature, 0);
      signatures.add(signature);
      byte[] flipped = key.clone();
      flipped[random.nextInt(32)] ^= (byte) (1 << random.nextInt(8)); // often not a point at all
      keys.add(key);
      keys.add(flipped);
    }
    int accepted = 0;
    for (byte[] key : keys) {
      VerifyingKey kept = new VerifyingKey(key);
      for (byte[] signature : signatures) {
        boolean expected = org.bouncycastle.math.ec.rfc8032.Ed25519.verify(signature, 0, key, 0, message, 0, message.length);
        assertThat(kept.verify(message, signature)).isEqualTo(expected);
        accepted += expected ? 1 : 0;
      }
    }
    assertThat(accepted).as("each good key accepts its own signature").isEqualTo(40);
  }

  // RFC 7748 §6.1 (Alice and Bob) and §5.2 (the first function test vector).
  @Test
  void rfc7748X25519ThroughIdentityAndCard() throws Exception {
    byte[] edSeed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    Identity alice = Identity.importPrivateKeys(concat(edSeed, hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")));
    Identity bob = Identity.importPrivateKeys(concat(edSeed, hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")));
    assertThat(alice.card().encryptionKey()).isEqualTo(hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
    assertThat(bob.card().encryptionKey()).isEqualTo(hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"));
    byte[] shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    assertThat(Secrets.of(alice).rawSharedSecretWith(bob.card())).isEqualTo(shared);
    assertThat(Secrets.of(bob).rawSharedSecretWith(alice.card())).isEqualTo(shared);

    byte[] out = new byte[32];
    org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(
        hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"), 0,
        hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"), 0, out, 0);
    assertThat(out).isEqualTo(hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"));
    assertThat(PublicCard.of(alice.card().signingKey(), alice.card().encryptionKey())).isEqualTo(alice.card());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
