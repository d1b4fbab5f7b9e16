package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.InvalidMessageException;

/** What {@link MessageText#checkType} lets through: {@code [A-Z][A-Z0-9_]{0,15}}, the whole type, nothing else. */
class MessageTypeTest {
  @ParameterizedTest
  @ValueSource(strings = {"TEXT", "A", "A234567890123456", "GROUP_ADD", "X_1", "LINKED_DEVICES"})
  void wellFormedTypesPass(String type) {
    assertThatCode(() -> MessageText.checkType(type)).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "Text", "1A", "_A", "A2345678901234567", "TE-XT", "TEXT ", " TEXT", "TEXT\n",
      "TÉXT", "A\u0000"})
  void anythingElseIsRefused(String type) {
    assertThatThrownBy(() -> MessageText.checkType(type)).isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("A message type is 1-16 of A-Z 0-9 _");
  }

  @Test
  void noTypeIsRefused() {
    assertThatThrownBy(() -> MessageText.checkType(null)).isInstanceOf(InvalidMessageException.class);
  }
}
