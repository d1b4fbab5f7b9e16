package org.reschat.core.internal.json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Decodes UTF-8 refusing what is not: a malformed byte is an error, never a U+FFFD. Bytes from the ledger are
 * decoded this way so two different byte strings never read as the same text.
 */
public final class StrictUtf8 {
  private StrictUtf8() {}

  /** The text {@code bytes} encode, or empty when they are not well-formed UTF-8. */
  public static Optional<String> decode(byte[] bytes) {
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }
}
