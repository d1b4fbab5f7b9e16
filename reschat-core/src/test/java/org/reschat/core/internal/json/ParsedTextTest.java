package org.reschat.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.LocalStateException;

class ParsedTextTest {
  private final List<String> parses = new ArrayList<>();
  private final ParsedText<Integer> length = new ParsedText<>(text -> {
    parses.add(text);
    if (text.startsWith("damaged")) {
      throw new LocalStateException("damaged record");
    }
    return text.length();
  });

  @Test
  void aTextIsParsedOnceAndAnotherTextAgain() throws Exception {
    assertThat(length.of("abc")).isEqualTo(3);
    assertThat(length.of(new String("abc"))).isEqualTo(3); // equal text, another object: another process read it
    assertThat(length.of("abcd")).isEqualTo(4);
    assertThat(length.of("abc")).isEqualTo(3);
    assertThat(parses).containsExactly("abc", "abcd", "abc");
  }

  @Test
  void aDamagedTextThrowsEachTimeAndKeepsNothingOfIt() throws Exception {
    assertThat(length.of("abc")).isEqualTo(3);
    assertThatThrownBy(() -> length.of("damaged")).isInstanceOf(LocalStateException.class);
    assertThatThrownBy(() -> length.of("damaged")).isInstanceOf(LocalStateException.class);
    assertThat(length.of("abc")).isEqualTo(3);
    assertThat(parses).containsExactly("abc", "damaged", "damaged");
  }
}
