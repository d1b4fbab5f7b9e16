package org.reschat.core.internal.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;

/**
 * Protocol §4.8, "when a client may name version 5": a writer uses records only when every feed of the epoch, its
 * own included, has shown a {@code PAIR_READS} naming 5; a device that showed 4 only writes its notice once more
 * after it learnt to read records; records kept before version 5 load as nobody having shown it.
 */
class ReadsRecordTest {
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation ab = Conversation.pair(alice, bob.card());
  private final FeedId bobs = ab.feed(ab.indexOf(bob.card()));
  private final InMemoryLocalState state = new InMemoryLocalState();

  private static Message notice(FeedId feed, String body) {
    return new Message(feed.writer() + ":1:0", Message.Direction.RECEIVED, null, Instant.EPOCH, ReadsRecord.TYPE, "",
        1, 0, Message.Status.CONFIRMED, new byte[0], body.getBytes(StandardCharsets.UTF_8));
  }

  private static Message text(FeedId feed) {
    return new Message(feed.writer() + ":1:1", Message.Direction.RECEIVED, null, Instant.EPOCH, "TEXT", "hi", 1, 1,
        Message.Status.CONFIRMED, new byte[0], "hi".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void recordsAreUsedOnlyWhenEveryFeedThisOneIncludedNamedVersion5() throws Exception {
    ReadsRecord reads = new ReadsRecord(state, true);
    List<Message> shown = reads.take(ab, List.of(notice(bobs, "{\"v\":1,\"pages\":[2,3,4,5]}"), text(bobs)));
    assertThat(shown).extracting(Message::type).containsExactly("TEXT");
    assertThat(reads.everyone(ab)).as("Alice's own device has not shown version 4 yet").isFalse();
    assertThat(reads.everyoneReadsRecords(ab)).isFalse();
    reads.wrote(ab);
    assertThat(reads.everyone(ab)).isTrue();
    assertThat(reads.everyoneReadsRecords(ab)).isTrue();
  }

  @Test
  void aFriendWhoNamesVersion4OnlyKeepsGettingPages() throws Exception {
    ReadsRecord reads = new ReadsRecord(state, true);
    reads.wrote(ab);
    reads.take(ab, List.of(notice(bobs, "{\"v\":1,\"pages\":[2,3,4]}")));
    assertThat(reads.everyone(ab)).isTrue();
    assertThat(reads.everyoneReadsRecords(ab)).isFalse();
    reads.take(ab, List.of(notice(bobs, "{\"v\":1,\"pages\":[5]}"))); // records carry §4.7's tags: 5 without 4 is not shown
    assertThat(reads.everyoneReadsRecords(ab)).isFalse();
    reads.take(ab, List.of(notice(bobs, "{\"v\":1,\"pages\":[2,3,4,5]}"))); // his client learnt to read records
    assertThat(reads.everyoneReadsRecords(ab)).isTrue();
    assertThat(reads.everyone(ab)).as("what was learnt of version 4 stays").isTrue();
  }

  @Test
  void aDeviceThatShowedVersion4OnlyWritesItsNoticeAgainOnceItReadsRecords() throws Exception {
    ReadsRecord today = new ReadsRecord(state, false);
    assertThat(new String(today.myNotice()[1], StandardCharsets.UTF_8)).isEqualTo("{\"v\":1,\"pages\":[2,3,4]}");
    today.wrote(ab);
    assertThat(today.shownByMe(ab)).isTrue();

    ReadsRecord upgraded = new ReadsRecord(state, true); // the same profile, a client that reads records
    assertThat(new String(upgraded.myNotice()[1], StandardCharsets.UTF_8)).isEqualTo("{\"v\":1,\"pages\":[2,3,4,5]}");
    assertThat(new String(upgraded.myNotice()[0], StandardCharsets.UTF_8)).isEqualTo("reads pages of version 5");
    assertThat(upgraded.shownByMe(ab)).as("its first notice did not name 5").isFalse();
    upgraded.wrote(ab);
    assertThat(upgraded.shownByMe(ab)).isTrue();
    assertThat(today.shownByMe(ab)).as("an older client on the profile still sees its notice written").isTrue();
  }

  @Test
  void aRecordKeptBeforeVersion5LoadsAsNobodyHavingShownIt() throws Exception {
    String name = "reads-" + HexFormat.of().formatHex(Base64Url.decode(ab.id()).orElseThrow());
    state.saveDeviceRecord(name, "{\"v\":1,\"feeds\":[\"" + ab.myFeed().writer() + "\",\"" + bobs.writer() + "\"]}");
    ReadsRecord reads = new ReadsRecord(state, true);
    assertThat(reads.everyone(ab)).isTrue();
    assertThat(reads.everyoneReadsRecords(ab)).isFalse();
    assertThat(reads.shownByMe(ab)).isFalse();
  }

  @Test
  void thisClientNamesVersion5OnlyWhenItsReaderReadsRecords() {
    String body = new String(ReadsRecord.notice()[1], StandardCharsets.UTF_8);
    assertThat(body.contains(",5]")).isEqualTo(TailRule.RECORDS_READ_HERE);
    assertThat(new TailRule(true, true, true).writesRecords()).isEqualTo(TailRule.RECORDS_READ_HERE);
    assertThat(new TailRule(true, true, false).writesRecords()).isFalse();
    assertThat(new TailRule(true, false, true).writesRecords()).isFalse();
  }
}
