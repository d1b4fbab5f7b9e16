package org.reschat.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.IdentityFileException;
import org.reschat.core.InvalidCardException;
import org.reschat.core.WrongPassphraseException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.PassphraseBox;
import org.reschat.core.internal.crypto.PassphraseBoxProbe;
import org.reschat.core.testing.TestIdentities;

class IdentityTest {
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final SecureRandom random = new SecureRandom();

  @Test
  void aCardsFingerprintIsSha256OfItsKeysAndAChangedCopyChangesNothing() throws Exception {
    PublicCard card = TestIdentities.named("alice").card();
    byte[] expected = java.security.MessageDigest.getInstance("SHA-256").digest(card.bytes());
    byte[] first = card.fingerprint(); // kept by the card since: handed out as a copy
    assertThat(first).isEqualTo(expected);
    first[0] ^= 1;
    assertThat(card.fingerprint()).isEqualTo(expected);
    assertThat(PublicCard.parse(card.toString())).isEqualTo(card).hasSameHashCodeAs(card);
    assertThat(card).isNotEqualTo(TestIdentities.named("bob").card());
  }

  @Test
  void cardIsOneLineThatParsesBack() throws InvalidCardException {
    String text = alice.card().toString();
    assertThat(text).startsWith("rc2:").hasSize(PublicCard.TEXT_LENGTH).doesNotContain(" ", "\n");
    assertThat(PublicCard.parse("  " + text + "\n")).isEqualTo(alice.card());
    assertThat(alice.card().fingerprintText()).matches("([0-9a-f]{4} ){15}[0-9a-f]{4}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "hello", "rc2:AAAA", "rc1:", "rc1:!!!!"})
  void malformedCardsAreTypedErrors(String text) {
    assertThatThrownBy(() -> PublicCard.parse(text)).isInstanceOf(InvalidCardException.class);
  }

  @Test
  void everySingleCharacterTypoIsCaughtByTheChecksum() {
    String text = alice.card().toString();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int tried = 0;
    for (int i = PublicCard.PREFIX.length(); i < text.length(); i++) {
      for (char c : alphabet.toCharArray()) {
        if (c == text.charAt(i)) {
          continue;
        }
        String typo = text.substring(0, i) + c + text.substring(i + 1);
        assertThatThrownBy(() -> PublicCard.parse(typo)).as("typo at %d", i).isInstanceOf(InvalidCardException.class);
        tried++;
      }
    }
    assertThat(tried).isEqualTo(91 * 63);
  }

  @Test
  void aTypoSaysSoInPlainWords() {
    String text = alice.card().toString();
    String typo = text.substring(0, 20) + (text.charAt(20) == 'A' ? 'B' : 'A') + text.substring(21);
    assertThatThrownBy(() -> PublicCard.parse(typo)).hasMessageContaining("checksum");
  }

  @Test
  void eachKeyPairHasExactlyOneCard() throws Exception {
    byte[] x = alice.card().encryptionKey();
    x[31] |= (byte) 0x80; // the bit X25519 ignores: the same key, spelled differently
    byte[] flipped = x;
    assertThatThrownBy(() -> PublicCard.of(alice.card().signingKey(), flipped)).isInstanceOf(InvalidCardException.class)
        .hasMessageContaining("canonical");
    byte[] ed = alice.card().signingKey();
    ed[31] ^= (byte) 0x80; // the sign of x: another point, or none
    PublicCard other = null;
    try {
      other = PublicCard.of(ed, alice.card().encryptionKey());
    } catch (InvalidCardException e) {
      // fine: not a point
    }
    assertThat(other).isNotEqualTo(alice.card());
  }

  @Test
  void whitespaceFromAWrappedCopyIsIgnored() throws Exception {
    String text = alice.card().toString();
    String wrapped = " " + text.substring(0, 40) + "\n  " + text.substring(40, 70) + " \t" + text.substring(70) + "\n";
    assertThat(PublicCard.parse(wrapped)).isEqualTo(alice.card());
  }

  @Test
  void aVersionOneCardIsRefusedWithAReason() {
    String text = "rc1:" + Base64Url.encode(new byte[64]);
    assertThatThrownBy(() -> PublicCard.parse(text)).isInstanceOf(InvalidCardException.class)
        .hasMessageContaining("new card");
  }

  @Test
  void truncatedCardSaysItWasCutOff() {
    String text = alice.card().toString();
    assertThatThrownBy(() -> PublicCard.parse(text.substring(0, text.length() - 3)))
        .isInstanceOf(InvalidCardException.class).hasMessageContaining("cut off");
  }

  @Test
  void weakOrInvalidKeysAreRefused() {
    byte[] ed = alice.card().signingKey();
    byte[] zero = new byte[32];
    byte[] one = new byte[32];
    one[0] = 1;
    assertThatThrownBy(() -> PublicCard.of(ed, zero)).isInstanceOf(InvalidCardException.class).hasMessageContaining("low order");
    assertThatThrownBy(() -> PublicCard.of(ed, one)).isInstanceOf(InvalidCardException.class).hasMessageContaining("low order");
    byte[] notAPoint = new byte[32];
    notAPoint[0] = 2; // y = 2 is not on the curve
    assertThatThrownBy(() -> PublicCard.of(notAPoint, alice.card().encryptionKey()))
        .isInstanceOf(InvalidCardException.class).hasMessageContaining("Ed25519");
    String text = "rc1:" + Base64Url.encode(new byte[64]);
    assertThatThrownBy(() -> PublicCard.parse(text)).isInstanceOf(InvalidCardException.class);
  }

  @Test
  void safetyNumberIsTheSameOnBothSidesAndDiffersPerPair() {
    String ab = SafetyNumber.between(alice.card(), bob.card());
    assertThat(ab).isEqualTo(SafetyNumber.between(bob.card(), alice.card()));
    assertThat(ab).matches("([0-9]{5} ){11}[0-9]{5}");
    assertThat(SafetyNumber.between(alice.card(), TestIdentities.named("carol").card())).isNotEqualTo(ab);
  }

  @Test
  void identityFileRoundTripsUnderAPassphrase() throws Exception {
    String file = IdentityFile.seal(alice, "correct horse".toCharArray(), PassphraseBox.Argon2.minimum(random), random);
    assertThat(file).doesNotContain(Base64Url.encode(alice.exportPrivateKeysUnencrypted()));
    assertThat(IdentityFile.needsPassphrase(file)).isTrue();
    assertThat(IdentityFile.card(file)).isEqualTo(alice.card());
    Identity opened = IdentityFile.open(file, "correct horse".toCharArray());
    assertThat(opened.card()).isEqualTo(alice.card());
    assertThat(opened.exportPrivateKeysUnencrypted()).isEqualTo(alice.exportPrivateKeysUnencrypted());
  }

  @Test
  void wrongPassphraseIsATypedErrorNotGarbage() throws Exception {
    String file = IdentityFile.seal(alice, "right".toCharArray(), PassphraseBox.Argon2.minimum(random), random);
    assertThatThrownBy(() -> IdentityFile.open(file, "wrong".toCharArray())).isInstanceOf(WrongPassphraseException.class)
        .hasMessageContaining("passphrase is wrong");
    assertThatThrownBy(() -> IdentityFile.open(file, null)).isInstanceOf(WrongPassphraseException.class);
  }

  @Test
  void passphraseIsUnicodeNormalised() throws Exception {
    String composed = "caf\u00e9";
    String decomposed = "cafe\u0301";
    String file = IdentityFile.seal(alice, composed.toCharArray(), PassphraseBox.Argon2.minimum(random), random);
    assertThat(IdentityFile.open(file, decomposed.toCharArray()).card()).isEqualTo(alice.card());
  }

  @Test
  void swappingTheCardBreaksTheSeal() throws Exception {
    String file = IdentityFile.seal(alice, "pw".toCharArray(), PassphraseBox.Argon2.minimum(random), random);
    String swapped = file.replace(alice.card().toString(), bob.card().toString());
    assertThatThrownBy(() -> IdentityFile.open(swapped, "pw".toCharArray())).isInstanceOf(WrongPassphraseException.class);
  }

  @Test
  void fileWithoutPassphraseOpensWithoutOne() throws Exception {
    String file = IdentityFile.withoutPassphrase(alice);
    assertThat(IdentityFile.needsPassphrase(file)).isFalse();
    assertThat(IdentityFile.open(file, null).card()).isEqualTo(alice.card());
    String swapped = file.replace(alice.card().toString(), bob.card().toString());
    assertThatThrownBy(() -> IdentityFile.open(swapped, null)).isInstanceOf(IdentityFileException.class)
        .hasMessageContaining("do not match");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "[]", "{}", "{\"format\":\"reschat-identity\"}",
      "{\"format\":\"reschat-identity\",\"version\":2,\"card\":\"x\",\"protection\":\"none\"}",
      "{\"format\":\"reschat-identity\",\"version\":1,\"card\":\"x\",\"protection\":\"rot13\"}",
      "{\"format\":\"reschat-identity\",\"version\":1,\"card\":\"rc1:x\",\"protection\":\"none\"}"})
  void malformedFilesAreTypedErrors(String json) {
    assertThatThrownBy(() -> IdentityFile.open(json, "pw".toCharArray())).isInstanceOf(IdentityFileException.class);
  }

  @Test
  void hostileArgonParametersAreRefusedBeforeAllocating() throws Exception {
    String file = IdentityFile.seal(alice, "pw".toCharArray(), PassphraseBox.Argon2.minimum(random), random);
    String huge = file.replaceFirst("\"memoryKiB\": \\d+", "\"memoryKiB\": 2000000000");
    assertThat(huge).isNotEqualTo(file);
    assertThatThrownBy(() -> IdentityFile.open(huge, "pw".toCharArray())).isInstanceOf(IdentityFileException.class)
        .hasMessageContaining("memory");
  }

  /** The file from the issue: 1 GiB, 64 passes, 16 lanes took 2 min 52 s to unlock. Refused at once. */
  @ParameterizedTest
  @CsvSource({"1048576, 64, 16", "65537, 3, 1", "65536, 4, 1", "65536, 3, 2", "16384, 4, 1"})
  void moreArgonWorkThanResChatWritesIsRefusedAtOnce(int memoryKiB, int iterations, int lanes) throws Exception {
    String file = IdentityFile.seal(alice, "pw".toCharArray(), PassphraseBox.Argon2.minimum(random), random);
    String hostile = file.replaceFirst("\"memoryKiB\": \\d+", "\"memoryKiB\": " + memoryKiB)
        .replaceFirst("\"iterations\": \\d+", "\"iterations\": " + iterations)
        .replaceFirst("\"parallelism\": \\d+", "\"parallelism\": " + lanes);
    long before = PassphraseBoxProbe.derivations();
    assertThatThrownBy(() -> IdentityFile.needsPassphrase(hostile)).isInstanceOf(IdentityFileException.class);
    assertThatThrownBy(() -> IdentityFile.open(hostile, "pw".toCharArray())).isInstanceOf(IdentityFileException.class)
        .hasMessageStartingWith("The identity file asks for Argon2 work of ")
        .hasMessageEndingWith("more work than ResChat ever writes (at most 64 MiB of memory × 3 passes × 1 lane); "
            + "it may have been tampered with.");
    // Counted, not timed: a loaded machine is slow without deriving, and a fast one derives quickly.
    assertThat(PassphraseBoxProbe.derivations() - before).as("refused before any derivation").isZero();
    IdentityFile.open(file, "pw".toCharArray());
    assertThat(PassphraseBoxProbe.derivations() - before).as("the honest file is derived once").isEqualTo(1);
  }

  @Test
  void theDefaultsAreTheMostAFileMayAskFor() throws Exception {
    String file = IdentityFile.seal(alice, "pw".toCharArray(), PassphraseBox.Argon2.interactive(random), random);
    assertThat(IdentityFile.open(file, "pw".toCharArray()).card()).isEqualTo(alice.card());
  }

  @ParameterizedTest
  @CsvSource({"8, 1", "19455, 2", "19456, 1", "65536, 1"})
  void newFilesRespectTheFloorOf19MiBAndTwoPasses(int memoryKiB, int iterations) {
    PassphraseBox.Argon2 weak = new PassphraseBox.Argon2(memoryKiB, iterations, 1, new byte[16]);
    assertThat(weak.creationProblem()).contains("at least 19456 KiB");
    assertThatThrownBy(() -> IdentityFile.seal(alice, "pw".toCharArray(), weak, random))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void newerVersionAsksForAnUpgrade() {
    String json = "{\"format\":\"reschat-identity\",\"version\":7,\"card\":\"x\",\"protection\":\"none\"}";
    assertThatThrownBy(() -> IdentityFile.open(json, null)).hasMessageContaining("upgrade ResChat");
  }

  @Test
  void toStringNeverShowsKeys() {
    assertThat(alice.toString()).contains(alice.card().toString())
        .doesNotContain(Base64Url.encode(alice.exportPrivateKeysUnencrypted()));
  }
}
