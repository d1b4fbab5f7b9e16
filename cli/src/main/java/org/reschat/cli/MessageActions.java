package org.reschat.cli;

import java.util.List;
import java.util.Optional;
import org.reschat.core.Relations;

/**
 * What the chat view and the web client both say or offer about reactions and read markers, kept in one place.
 * Whether a message can be reacted to, edited or deleted is the protocol's rule, in the core
 * ({@link Relations#canReactTo}, {@link Relations#canEdit}, {@link Relations#canDelete}); which reaction is
 * accepted is the core's too ({@code ChatClient.react} refuses any other).
 */
public final class MessageActions {
  /**
   * The reactions the web page offers at a click (the terminal takes any: {@code /react 12 🎉}), each one the core
   * accepts; any other reaction someone sent is shown too, and can be added to.
   */
  public static final List<String> QUICK_REACTIONS = List.of("👍", "❤️", "😂", "😮", "😢", "🙏");

  private MessageActions() {}

  /**
   * A read marker as words: "seen" in a direct chat, "seen by 2 of 3" in a group; empty when nobody has shown they
   * read it.
   */
  public static Optional<String> seen(Optional<Relations.Seen> seen, boolean group) {
    return seen.filter(s -> s.by() > 0).map(s -> group ? "seen by " + s.by() + " of " + s.of() : "seen");
  }
}
