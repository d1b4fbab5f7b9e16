package org.reschat.core.internal.page;

import org.reschat.core.internal.conversation.Conversation;

/** For tests in other packages: a record sealed at any key, as a member holding the secret can. */
public final class RecordWriterAccess {
  private RecordWriterAccess() {}

  public static String sealAt(Conversation c, String key, SlotRecord record) {
    return Envelope.seal(c, key, record.encoded());
  }
}
