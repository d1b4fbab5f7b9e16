package org.reschat.core.internal.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
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
}
