package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.testing.TestIdentities;

/**
 * Issue 24's promise, counted in bytes (never timed): on a ledger that keeps every version, a page of twenty
 * 100-character messages written as records and closed costs at most 1,000 bytes a message, where rewriting the
 * tail page costs every version of it. The figures are printed for the README.
 */
class RecordBytesTest {
  private static final String HUNDRED = "x".repeat(100);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");

  private static SlotSeal.Draft draft(int i) {
    return new SlotSeal.Draft("TEXT", 1_700_000_000_000L + i, new byte[0], HUNDRED.getBytes(StandardCharsets.UTF_8));
  }

  private static List<Head> heads(Conversation c) {
    return List.of(new Head(c.indexOf(c.members().get(1 - c.myIndex())), 1, 20, new byte[PageLimits.HEAD_HASH_BYTES]));
  }

  @Test
  void twentyMessagesAsRecordsAndOneClosingPageCostAtMostAThousandBytesEach() throws Exception {
    for (TailRule rule : List.of(new TailRule(true, true), TailRule.SIGNED)) {
      Conversation ab = Conversation.pair(alice, bob.card()).withTails(rule);
      RecordWriter records = new RecordWriter(ab);
      List<SlotRecord> open = new ArrayList<>();
      long recordBytes = 0;
      for (int i = 0; i < 20; i++) {
        SlotRecord r = records.append(1, null, open, heads(ab), draft(i)).orElseThrow();
        open.add(r);
        recordBytes += records.seal(r).length(); // base64url: one byte a character
      }
      long closingBytes = Envelope.seal(ab, ab.pageKey(ab.myFeed(), 1), records.close(open)).length();
      long perMessage = (recordBytes + closingBytes) / 20;

      PageWriter pages = new PageWriter(ab);
      Page tail = null;
      long rewriteBytes = 0;
      for (int i = 0; i < 20; i++) {
        tail = pages.append(tail, heads(ab), draft(i));
        rewriteBytes += Envelope.seal(ab, ab.pageKey(ab.myFeed(), 1), tail).length();
      }
      System.out.printf("ledger bytes per 20 messages (%s): records %d + closing page %d = %d (%d a message);"
          + " tail rewrites %d (%d a message)%n", rule.tags(List.of("TEXT")) ? "tagged" : "signed", recordBytes,
          closingBytes, recordBytes + closingBytes, perMessage, rewriteBytes, rewriteBytes / 20);
      assertThat(perMessage).isLessThanOrEqualTo(1_000);
      assertThat(recordBytes + closingBytes).isLessThan(rewriteBytes / 4);
    }
  }
}
