package org.reschat.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.SlotSeal;

/**
 * Builds real, signed, sealed pages for tests, written by the conversation's own member: what that member
 * (honest or not) can put on the ledger.
 */
public final class PageFixtures {
  private PageFixtures() {}

  /** Pages holding {@code texts} in order, oldest first; message i is stamped {@code t0 + i}. */
  public static List<Page> pages(Conversation c, List<String> texts, long t0) {
    PageWriter writer = new PageWriter(c);
    List<Page> out = new ArrayList<>();
    Page tail = null;
    try {
      for (int i = 0; i < texts.size(); i++) {
        Page next = writer.append(tail, List.of(),
            new SlotSeal.Draft("TEXT", t0 + i, new byte[0], texts.get(i).getBytes(StandardCharsets.UTF_8)));
        if (tail != null && next.number() != tail.number()) {
          out.add(tail);
        }
        tail = next;
      }
    } catch (InvalidMessageException e) {
      throw new IllegalStateException(e);
    }
    out.add(tail);
    return out;
  }

  /** Pages holding "m0", "m1", … */
  public static List<Page> pages(Conversation c, int count) {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      texts.add("m" + i);
    }
    return pages(c, texts, 1_700_000_000_000L);
  }

  /** The ledger value of one of the conversation member's own pages, at its key. */
  public static String seal(Conversation c, Page page) {
    return Envelope.seal(c, c.pageKey(c.myFeed(), page.number()), page);
  }

  /** The ledger key of one of the member's own pages. */
  public static String key(Conversation c, long number) {
    return c.pageKey(c.myFeed(), number);
  }
}
