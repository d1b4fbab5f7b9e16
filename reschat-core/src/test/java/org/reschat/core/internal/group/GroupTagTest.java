package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.FeedWarning;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageRejectedException;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.RecordWriter;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestIdentities;

/**
 * A group's epoch never takes a sender tag (protocol §4.9): its envelope proves only that some member wrote, so in a
 * group of two as much as in one of fifty a tagged page is {@code FORGED}, even under a rule that would take one in a
 * direct chat; and a group's writer signs every record.
 */
class GroupTagTest {
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final byte[] secret = new byte[32];
  private final List<org.reschat.core.identity.PublicCard> two = List.of(alice.card(), bob.card());

  private static SlotSeal.Draft draft() {
    return new SlotSeal.Draft("TEXT", 1_800_000_000_000L, new byte[0], "hi".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aTaggedPageInAGroupOfTwoIsForgedWhateverTheReadersRuleSays() throws Exception {
    Conversation writer = Conversation.of(alice, secret, two).withTails(new TailRule(true, true)); // tags, as a chat
    Page tagged = new PageWriter(writer).append(null, List.of(), draft());
    assertThat(tagged.isTagged()).isTrue();
    String key = writer.pageKey(writer.myFeed(), 1);
    String value = Envelope.seal(writer, key, tagged);
    for (TailRule rule : List.of(TailRule.groupEpoch(true), TailRule.groupEpoch(true).opened(), TailRule.GROUP)) {
      Conversation reader = Conversation.of(bob, secret, two).withTails(rule);
      FeedId alices = reader.feed(reader.indexOf(alice.card()));
      assertThatThrownBy(() -> PageVerifier.openAndVerify(reader, alices, 1, key, value)).as("%s", rule)
          .isInstanceOfSatisfying(PageRejectedException.class, e -> assertThat(e.kind()).isEqualTo(FeedWarning.Kind.FORGED));
    }
  }

  @Test
  void aGroupWriterSignsEveryRecordAndNeverTagsAPage() throws Exception {
    Conversation c = Conversation.of(alice, secret, two).withTails(TailRule.groupEpoch(true).opened());
    assertThat(c.tails().tags(List.of("TEXT"))).isFalse();
    assertThat(c.tails().writesRecords(true)).isTrue();
    assertThat(c.tails().tagsWithdrawn()).as("nothing held back or closed early").isFalse();
    assertThat(new RecordWriter(c).append(1, new byte[32], List.of(), List.of(), draft()).orElseThrow().isTagged())
        .isFalse();
  }
}
