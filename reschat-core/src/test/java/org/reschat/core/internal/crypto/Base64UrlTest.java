package org.reschat.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class Base64UrlTest {
  @Property
  void roundTrips(@ForAll byte[] bytes) {
    String text = Base64Url.encode(bytes);
    assertThat(text).doesNotContain("=", "+", "/");
    assertThat(text.length()).isEqualTo(Base64Url.encodedLength(bytes.length));
    assertThat(Base64Url.decode(text)).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));
  }

  @Test
  void rejectsEverythingButTheCanonicalSpelling() {
    assertThat(Base64Url.decode("AAE")).isPresent();
    assertThat(Base64Url.decode("AAF")).isEmpty(); // non-zero unused bits
    assertThat(Base64Url.decode("AAE=")).isEmpty(); // padding
    assertThat(Base64Url.decode("AA+/")).isEmpty(); // the other alphabet
    assertThat(Base64Url.decode("A")).isEmpty(); // impossible length
    assertThat(Base64Url.decode("AA E")).isEmpty();
    assertThat(Base64Url.decode(null)).isEmpty();
  }

  /**
   * The decoder before it took one pass (checked characters, decoded, then re-encoded the whole value to
   * compare): the oracle of what must be accepted and rejected.
   */
  static Optional<byte[]> oldDecode(String text) {
    if (text == null || text.length() % 4 == 1) {
      return Optional.empty();
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return Optional.empty();
      }
    }
    byte[] bytes;
    try {
      bytes = java.util.Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    return Base64Url.encode(bytes).equals(text) ? Optional.of(bytes) : Optional.empty();
  }

  @Property(tries = 20_000)
  void acceptsAndRejectsExactlyWhatTheOldDecoderDid(@ForAll("texts") String text) {
    Optional<byte[]> expected = oldDecode(text);
    Optional<byte[]> actual = Base64Url.decode(text);
    assertThat(actual.isPresent()).as("accepts %s", text).isEqualTo(expected.isPresent());
    if (expected.isPresent()) {
      assertThat(Arrays.equals(actual.get(), expected.get())).isTrue();
    }
  }

  /**
   * Canonical encodings, and the same mutated where a decoder can go wrong: the last character (its unused
   * bits), padding, the other alphabet, white space, characters beyond ASCII, a character more or less.
   */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> canonical = Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Base64Url::encode);
    Arbitrary<Character> odd = Arbitraries.of('=', '+', '/', ' ', '\n', '\0', '.', '~', '\u00e9', '\u0100', '\uff21',
        'A', 'B', 'Q', 'g', 'w', '-', '_', '0', '9');
    Arbitrary<String> mutated = Combinators.combine(canonical, odd, Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 60)).as((t, c, how, at) -> {
          int i = t.isEmpty() ? 0 : at % (t.length() + 1);
          switch (how) {
            case 0: // replace the last character: non-zero unused bits, or another character
              return t.isEmpty() ? String.valueOf(c) : t.substring(0, t.length() - 1) + c;
            case 1: // insert anywhere, the end included (padding)
              return t.substring(0, i) + c + t.substring(i);
            case 2: // replace anywhere
              return i >= t.length() ? t + c : t.substring(0, i) + c + t.substring(i + 1);
            default: // one character fewer
              return t.isEmpty() ? t : t.substring(0, t.length() - 1);
          }
        });
    Arbitrary<String> padded = canonical.map(t -> t + (t.length() % 4 == 2 ? "==" : t.length() % 4 == 3 ? "=" : ""));
    Arbitrary<String> random = Arbitraries.strings().withChars("ABQgw-_09=+/ \u00e9").ofMaxLength(12);
    return Arbitraries.oneOf(canonical, mutated, mutated, padded, random);
  }
}
