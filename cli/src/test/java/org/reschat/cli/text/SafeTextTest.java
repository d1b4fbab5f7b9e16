package org.reschat.cli.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class SafeTextTest {
  @Test
  void controlsEscapesAndBidiAreShownVisibly() {
    assertThat(SafeText.line("a\rb\tc\u0007\u0008\u000b\u000c\u001b[31m\u0000\u007f\u0085\u009b\u202e\u2066\u2069\u200f\u2028"))
        .isEqualTo("a\\rb\\tc\\a\\b\\v\\f\\e[31m\\x00\\x7f\\x85\\x9b\\u202E\\u2066\\u2069\\u200F\\u2028");
  }

  @Test
  void aTypedBackslashIsDoubledSoAnEscapeCannotBeForged() {
    assertThat(SafeText.line("\\e[31m")).isEqualTo("\\\\e[31m");
    assertThat(SafeText.line("\u001b[31m")).isEqualTo("\\e[31m");
  }

  @Test
  void aLineEscapesNewlinesAndABlockIndentsEveryContinuation() {
    assertThat(SafeText.line("one\ntwo")).isEqualTo("one\\ntwo");
    assertThat(SafeText.block("one\n\r10:00  me: hi\n\ntwo", "    ")).isEqualTo("one\n    \\r10:00  me: hi\n    \n    two");
    assertThatThrownBy(() -> SafeText.block("x", "")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ordinaryTextIsUnchanged() {
    String text = "Grüße, 你好, emoji 🎉, math ∑, RTL text שלום and عربى";
    assertThat(SafeText.line(text)).isEqualTo(text);
    assertThat(SafeText.line(null)).isEmpty();
  }

  @Property
  void nothingUnsafeSurvivesAndEveryLineAfterTheFirstIsIndented(@ForAll String text) {
    String shown = SafeText.block(text, "  ");
    assertThat(shown.codePoints().filter(c -> c != '\n' && SafeText.isUnsafe(c))).isEmpty();
    String[] lines = shown.split("\n", -1);
    for (int i = 1; i < lines.length; i++) {
      assertThat(lines[i]).startsWith("  ");
    }
    assertThat(SafeText.line(text)).doesNotContain("\n");
  }
}
