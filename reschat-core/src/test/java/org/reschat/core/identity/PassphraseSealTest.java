package org.reschat.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.reschat.core.IdentityFileException;
import org.reschat.core.WrongPassphraseException;
import org.reschat.core.internal.crypto.PassphraseBoxProbe;

class PassphraseSealTest {
  private static final byte[] AAD = "test/v1".getBytes(StandardCharsets.UTF_8);
  private static final int FLOOR = 19 * 1024;

  private static JsonObject sealed(String text) {
    JsonObject o = new JsonObject();
    o.addProperty("format", "kept by the caller");
    PassphraseSeal.sealInto(o, "correct horse".toCharArray(), FLOOR, AAD, text.getBytes(StandardCharsets.UTF_8));
    return o;
  }

  @Test
  void opensWithThePassphraseAndTheSameAssociatedDataOnly() throws Exception {
    JsonObject o = sealed("the zip");
    assertThat(o.get("format").getAsString()).isEqualTo("kept by the caller");
    assertThat(o.keySet()).contains("argon2", "nonce", "ciphertext");
    assertThat(new String(PassphraseSeal.openFrom(o, "correct horse".toCharArray(), AAD), StandardCharsets.UTF_8))
        .isEqualTo("the zip");
    assertThatThrownBy(() -> PassphraseSeal.openFrom(o, "wrong horse".toCharArray(), AAD))
        .isInstanceOf(WrongPassphraseException.class);
    assertThatThrownBy(() -> PassphraseSeal.openFrom(o, "correct horse".toCharArray(),
        "other/v1".getBytes(StandardCharsets.UTF_8))).isInstanceOf(WrongPassphraseException.class);
  }

  @Test
  void twoSealsOfTheSameBytesShareNoSaltNonceOrCiphertext() {
    JsonObject a = sealed("same");
    JsonObject b = sealed("same");
    assertThat(a.getAsJsonObject("argon2").get("salt")).isNotEqualTo(b.getAsJsonObject("argon2").get("salt"));
    assertThat(a.get("nonce")).isNotEqualTo(b.get("nonce"));
    assertThat(a.get("ciphertext")).isNotEqualTo(b.get("ciphertext"));
  }

  @Test
  void aPlantedDemandForHugeWorkIsRefusedBeforeAnyDerivation() {
    JsonObject o = sealed("x");
    o.getAsJsonObject("argon2").addProperty("memoryKiB", 4 * 1024 * 1024);
    long before = PassphraseBoxProbe.derivations();
    assertThatThrownBy(() -> PassphraseSeal.openFrom(o, "correct horse".toCharArray(), AAD))
        .isInstanceOf(IdentityFileException.class).hasMessageContaining("more work than ResChat ever writes");
    assertThat(PassphraseBoxProbe.derivations()).isEqualTo(before);
  }

  @Test
  void missingOrMalformedFieldsAreAClearErrorNotACrash() {
    for (String field : new String[] {"argon2", "nonce", "ciphertext"}) {
      JsonObject o = sealed("x");
      o.remove(field);
      assertThatThrownBy(() -> PassphraseSeal.openFrom(o, "correct horse".toCharArray(), AAD))
          .as(field).isInstanceOf(IdentityFileException.class);
    }
    JsonObject o = sealed("x");
    o.addProperty("nonce", "AAAA");
    assertThatThrownBy(() -> PassphraseSeal.openFrom(o, "correct horse".toCharArray(), AAD))
        .isInstanceOfAny(IdentityFileException.class, WrongPassphraseException.class);
  }
}
