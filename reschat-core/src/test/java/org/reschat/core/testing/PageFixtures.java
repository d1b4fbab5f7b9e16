package org.reschat.core.testing;

import java.nio.charset.StandardCharsets;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Hpke;
import org.reschat.core.identity.Identity;
import org.reschat.core.page.Page;
import org.reschat.core.page.PageWriter;

/** Builds real, signed pages for tests. */
public final class PageFixtures {
  private PageFixtures() {}

  /** A feed page of {@code count} messages "m0", "m1", … written by {@code writer} in {@code c}. */
  public static Page page(Identity writer, Conversation c, int count) {
    return pages(writer, c, count)[0];
  }

  /** Pages holding {@code count} messages in order; returns them oldest first. */
  public static Page[] pages(Identity writer, Conversation c, int count) {
    PageWriter pw = new PageWriter(writer, c, Hpke.standard());
    java.util.List<Page> out = new java.util.ArrayList<>();
    Page tail = null;
    try {
      for (int i = 0; i < count; i++) {
        Page next = pw.append(tail, new PageWriter.Draft("TEXT", 1_700_000_000_000L + i, "",
            ("m" + i).getBytes(StandardCharsets.UTF_8)));
        if (tail != null && next.number() != tail.number()) {
          out.add(tail);
        }
        tail = next;
      }
    } catch (InvalidMessageException e) {
      throw new IllegalStateException(e);
    }
    out.add(tail);
    return out.toArray(new Page[0]);
  }

  /** {@code page} with different contents, signed again by {@code writer}: what only the writer can do. */
  public static Page resign(Identity writer, Page page) {
    Page unsigned = new Page(page.version(), page.conversation(), page.writer(), page.number(), page.previous(),
        page.slots(), "");
    return new Page(page.version(), page.conversation(), page.writer(), page.number(), page.previous(), page.slots(),
        Base64Url.encode(writer.sign(unsigned.signedBytes())));
  }
}
