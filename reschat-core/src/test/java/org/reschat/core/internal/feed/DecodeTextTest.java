package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A received text shows as the charset's decoder shows it, malformed UTF-8 included (each bad sequence one
 * replacement mark): {@link Timeline#decodeText} takes the String constructor's path without changing a char.
 */
class DecodeTextTest {

  @Property(tries = 5000)
  void showsWhatTheDecoderShows(@ForAll("bytes") byte[] plain) {
    assertThat(Timeline.decodeText(plain)).isEqualTo(StandardCharsets.UTF_8.decode(ByteBuffer.wrap(plain)).toString());
  }

  /** Mostly the bytes UTF-8 gives meaning to: ASCII, continuations, lead bytes of 2, 3 and 4, invalid leads. */
  @Provide
  Arbitrary<byte[]> bytes() {
    return Arbitraries.oneOf(Arbitraries.integers().between(0, 0x7f), Arbitraries.integers().between(0x80, 0xbf),
        Arbitraries.integers().between(0xc0, 0xff)).map(Integer::byteValue).list().ofMaxSize(16)
        .map(l -> {
          byte[] b = new byte[l.size()];
          for (int i = 0; i < b.length; i++) {
            b[i] = l.get(i);
          }
          return b;
        });
  }
}
