package org.reschat.core.internal.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.device.DeviceFixtures;
import org.reschat.core.internal.device.DeviceList;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestIdentities;

/**
 * A conversation's feeds are listed in one order (own first, then each member's identity feed and its devices'), and
 * once per set of writers: every operation of a group walks them, and listing them matched every member against every
 * writer, 2,500 steps a call at 50 members, twice a live receive (issue 24).
 */
class ConversationFeedsTest {
  private final Identity me = TestIdentities.named("feeds me");
  private final List<PublicCard> others = new ArrayList<>();

  private Conversation group(int size) {
    others.clear();
    for (int i = 1; i < size; i++) {
      others.add(TestIdentities.named("feeds member " + i).card());
    }
    List<PublicCard> members = new ArrayList<>(others);
    members.add(me.card());
    return Conversation.of(me, new byte[32], members);
  }

  @Test
  void ownFeedFirstThenEachMembersIdentityFeedAndItsDevicesInOrder() {
    Conversation plain = group(5);
    PublicCard second = plain.members().get(1);
    PublicCard last = plain.members().get(4);
    Conversation c = plain.withDevices(Map.of(
        last, List.of(new DeviceList.Device(1, DeviceFixtures.publicKeys("last laptop"), 1, 0),
            new DeviceList.Device(2, DeviceFixtures.publicKeys("last phone"), 1, 0)),
        second, List.of(new DeviceList.Device(1, DeviceFixtures.publicKeys("second laptop"), 1, 0))));
    List<String> order = c.feeds().stream().map(f -> c.members().indexOf(c.writerOf(f)) + "/" + c.deviceOf(f)).toList();
    List<String> expected = new ArrayList<>();
    expected.add(c.myIndex() + "/0");
    for (int m = 0; m < 5; m++) {
      if (m != c.myIndex()) {
        expected.add(m + "/0");
      }
      if (m == 1) {
        expected.add("1/1");
      }
      if (m == 4) {
        expected.addAll(List.of("4/1", "4/2"));
      }
    }
    assertThat(order).containsExactlyElementsOf(expected);
    assertThat(c.feeds().get(0)).isEqualTo(c.myFeed());
  }

  @Test
  void onALinkedDeviceItsOwnFeedComesFirstAndItsIdentityFeedInItsPlace() {
    group(4);
    List<PublicCard> members = new ArrayList<>(others);
    members.add(me.card());
    Conversation c = Conversation.of(DeviceFixtures.linked(me, 1, "my laptop"), new byte[32], members);
    List<String> order = c.feeds().stream().map(f -> c.members().indexOf(c.writerOf(f)) + "/" + c.deviceOf(f)).toList();
    List<String> expected = new ArrayList<>(List.of(c.myIndex() + "/1"));
    for (int m = 0; m < 4; m++) {
      expected.add(m + "/0");
    }
    assertThat(order).containsExactlyElementsOf(expected);
  }

  @Test
  void theFeedsAreListedOncePerSetOfWriters() {
    Conversation c = group(50);
    List<FeedId> feeds = c.feeds();
    assertThat(feeds).hasSize(50).doesNotHaveDuplicates();
    assertThat(c.feeds()).as("asked again").isSameAs(feeds);
    // Each receive sees the group under its tail rule: the same writers, the same list.
    assertThat(c.withTails(TailRule.groupEpoch(true)).feeds()).as("under another tail rule").isSameAs(feeds);
    assertThat(c.withDevices(Map.of()).feeds()).as("no linked devices").isSameAs(feeds);
  }
}
