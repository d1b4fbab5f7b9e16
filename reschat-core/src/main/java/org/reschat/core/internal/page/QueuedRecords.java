package org.reschat.core.internal.page;

import java.util.ArrayList;
import java.util.List;
import org.reschat.core.internal.page.PageFormatException.Reason;

/**
 * An open record page as the outbox holds it (protocol §4.8): the ledger values of its records, in slot order, each
 * sealed once under its own record key, where a page of the outbox is otherwise one envelope sealed whole. A send
 * then seals its one record and appends it, instead of sealing the whole page again: the page is sealed whole only
 * when it closes. Every part is an envelope (nothing of it is plaintext on disk), and the value publishing writes
 * is the very part queued, so a retry after a crash writes the same bytes. Never a ledger value: a page key gets the
 * closing page, sealed whole.
 *
 * <pre>
 * value = "records." ‖ record value 0 ‖ "." ‖ record value 1 ‖ … (1 to 20 parts; base64url has no '.')
 * </pre>
 */
public final class QueuedRecords {
  private static final String PREFIX = "records.";
  /** Values split in this process: a count for tests (a send splits none it queued itself), never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong SPLITS = new java.util.concurrent.atomic.AtomicLong();

  private QueuedRecords() {}

  /** Whether {@code value} (an outbox value) holds an open page as its records, not a page sealed whole. */
  public static boolean is(String value) {
    return value.startsWith(PREFIX);
  }

  /** The outbox value of the records whose ledger values are {@code parts}, in slot order. */
  public static String of(List<String> parts) {
    return PREFIX + String.join(".", parts);
  }

  /**
   * The ledger values of the records {@code value} holds, in slot order: bounded (its length, 1 to 20 parts); each
   * part's form is left to opening it ({@link Envelope#open} checks it first), or to {@link #checkForm}.
   */
  public static List<String> parts(String value) throws PageFormatException {
    if (value.length() > PageLimits.MAX_VALUE_CHARS) {
      throw new PageFormatException(Reason.TOO_LARGE, "it is larger than any queued page (" + value.length()
          + " characters)");
    }
    if (!is(value)) {
      throw new PageFormatException(Reason.NOT_AN_ENVELOPE, "it is not a queued page of records");
    }
    List<String> parts = split(value);
    if (parts.size() > PageLimits.SLOTS_PER_PAGE) {
      throw new PageFormatException(Reason.NOT_AN_ENVELOPE, "it holds more records than a page has slots");
    }
    return parts;
  }

  /** How many records {@code value} holds, the slots of the open page: counted, neither checked nor opened. */
  public static int slots(String value) {
    int n = 1;
    for (int i = value.indexOf('.', PREFIX.length()); i >= 0; i = value.indexOf('.', i + 1)) {
      n++;
    }
    return n;
  }

  /** Checks, without opening anything, that {@code value} has the form above: bounded, 1 to 20 envelopes. */
  public static void checkForm(String value) throws PageFormatException {
    for (String part : parts(value)) {
      Envelope.checkForm(part);
    }
  }

  /** How many queued values were split into their records in this process so far. */
  public static long splits() {
    return SPLITS.get();
  }

  private static List<String> split(String value) {
    SPLITS.incrementAndGet();
    List<String> parts = new ArrayList<>();
    int from = PREFIX.length();
    for (int dot = value.indexOf('.', from); dot >= 0 && parts.size() <= PageLimits.SLOTS_PER_PAGE;
        dot = value.indexOf('.', from)) {
      parts.add(value.substring(from, dot));
      from = dot + 1;
    }
    parts.add(value.substring(from));
    return parts;
  }
}
