package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.reschat.core.InvalidMessageException;

/**
 * {@link MessageText#encode} sends the bytes a strict UTF-8 encoder gives, and refuses what it refuses: its fast
 * path (no surrogates) changes no byte and lets no lone surrogate through as '?'.
 */
class MessageTextEncodingTest {

  @Property(tries = 2000)
  void encodesAsTheStrictEncoderDoes(@ForAll("texts") String text) throws Exception {
    byte[] strict;
    try {
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
      strict = new byte[b.remaining()];
      b.get(strict);
    } catch (CharacterCodingException e) {
      assertThatThrownBy(() -> MessageText.encode(text)).isInstanceOf(InvalidMessageException.class);
      return;
    }
    if (text.isBlank()) {
      assertThatThrownBy(() -> MessageText.encode(text)).isInstanceOf(InvalidMessageException.class);
    } else {
      assertThat(MessageText.encode(text)).isEqualTo(strict);
    }
  }

  @Test
  void aLoneSurrogateIsRefusedNotSentAsAQuestionMark() {
    assertThatThrownBy(() -> MessageText.encode("hi \uD83D there")).isInstanceOf(InvalidMessageException.class);
    assertThatThrownBy(() -> MessageText.encode("hi \uDE00")).isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void aPairedSurrogateIsItsFourBytes() throws Exception {
    assertThat(MessageText.encode("ok \uD83D\uDE00")).isEqualTo("ok \uD83D\uDE00".getBytes(StandardCharsets.UTF_8))
        .hasSize(7);
  }

  /** Latin-1, other planes, and lone or swapped surrogates, mixed. */
  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(Arbitraries.chars().range(' ', '\u00ff'), Arbitraries.chars().all(),
        Arbitraries.chars().range('\uD800', '\uDFFF')).list().ofMaxSize(12)
        .map(cs -> cs.stream().map(String::valueOf).reduce("", String::concat));
  }
}
