package org.reschat.cli.web;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.reschat.core.ChatId;
import org.reschat.core.identity.PublicCard;

/**
 * A chat as the pages name it: the core's {@link ChatId}, the key in its URLs ({@code d-} and the other
 * person's fingerprint in hex, or {@code g-} and the group's id: characters that need no escaping anywhere),
 * and the name shown (a friend's nickname, a group's name, or a stranger's short fingerprint).
 */
record Chat(ChatId id, String key, String name) {

  boolean isGroup() {
    return id instanceof ChatId.Group;
  }

  static String key(ChatId id) {
    if (id instanceof ChatId.Group) {
      return "g-" + ((ChatId.Group) id).id();
    }
    return "d-" + hex(((ChatId.Direct) id).card());
  }

  /** The fingerprint of {@code card} as 64 hex digits: how the pages name a person in URLs and forms. */
  static String hex(PublicCard card) {
    return card.fingerprintText().replace(" ", "");
  }

  /** An element id for message {@code id}: hex, so it is safe in CSS selectors and attributes alike. */
  static String domId(String messageId) {
    return "m-" + HexFormat.of().formatHex(messageId.getBytes(StandardCharsets.UTF_8));
  }
}
