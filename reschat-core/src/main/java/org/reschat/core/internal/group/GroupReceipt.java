package org.reschat.core.internal.group;

import java.util.List;
import org.reschat.core.Update;
import org.reschat.core.internal.conversation.Received;

/**
 * What is new in a group, and the delivery marks that move once it was passed on: ops found are applied at
 * once (they are idempotent), messages are marked delivered only by {@link Groups#delivered}. Immutable.
 */
public record GroupReceipt(Update update, List<Received> marks) {
  public GroupReceipt {
    marks = List.copyOf(marks);
  }
}
