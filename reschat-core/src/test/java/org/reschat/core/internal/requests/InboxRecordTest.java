package org.reschat.core.internal.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.board.Board;
import org.reschat.core.testing.TestIdentities;

/** The inbox record on disk: round trips, stays bounded, and damaged text is one typed error. */
class InboxRecordTest {
  private final InboxRecord sample = new InboxRecord(java.util.Optional.of(YearMonth.of(2026, 11)),
      Instant.ofEpochMilli(1_790_000_100_000L), Map.of(YearMonth.of(2026, 11),
          new Board.Cursor(900, List.of(new Board.Gap(3, 600)), 5), YearMonth.of(2026, 10), new Board.Cursor(1, List.of(), 1)),
      List.of(new InboxRecord.Entry(TestIdentities.named("bob").card(), Instant.ofEpochMilli(1_790_000_000_000L), true,
          Instant.ofEpochMilli(1_790_000_050_000L))),
      Set.of(InboxRecord.hex(TestIdentities.named("mallory").card())),
      Set.of(InboxRecord.hex(TestIdentities.named("carol").card())),
      List.of(new InboxRecord.Queued(TestIdentities.named("dave").card(), Instant.ofEpochMilli(1_790_000_200_000L), 1)),
      List.of(TestIdentities.named("erin").card()));

  @Test
  void aRecordOfTheFirstVersionStillReads() throws Exception {
    // Written before boards grew: the last slot read per month, and no queue.
    InboxRecord old = InboxRecord.parse("{\"v\":1,\"checked\":\"2026-11\",\"last_check\":5,\"read\":{\"2026-11\":3},"
        + "\"requests\":[],\"ignored\":[],\"introduced\":[]}");
    assertThat(old.read().get(YearMonth.of(2026, 11))).isEqualTo(new Board.Cursor(3, List.of(), 1));
    assertThat(old.queued()).isEmpty();
  }

  @Test
  void aRecordRoundTrips() throws Exception {
    InboxRecord back = InboxRecord.parse(sample.toJson());
    assertThat(back.toJson()).isEqualTo(sample.toJson());
    assertThat(back.isIgnored(TestIdentities.named("mallory").card())).isTrue();
    assertThat(back.wasIntroducedTo(TestIdentities.named("carol").card())).isTrue();
    assertThat(back.hasRequestFrom(TestIdentities.named("bob").card())).isTrue();
    assertThat(back.isQueued(TestIdentities.named("dave").card())).isTrue();
    assertThat(back.notPosted()).containsExactly(TestIdentities.named("erin").card());
  }

  @Test
  void aFloodOfRequestersKeepsOnlyTheNewest() {
    List<InboxRecord.Entry> many = new ArrayList<>();
    for (int i = 0; i < InboxRecord.MAX_REQUESTS + 10; i++) {
      many.add(new InboxRecord.Entry(TestIdentities.named("bob").card(), Instant.ofEpochMilli(i)));
    }
    InboxRecord r = InboxRecord.EMPTY.withChecked(YearMonth.of(2026, 11), Instant.EPOCH, Map.of(), many);
    assertThat(r.requests()).hasSize(InboxRecord.MAX_REQUESTS);
    assertThat(r.requests().get(0).seen()).isEqualTo(Instant.ofEpochMilli(10));
  }

  @Test
  void aFloodPushesOutRequestsNeverShownBeforeAnyThatWasShown() {
    List<InboxRecord.Entry> many = new ArrayList<>();
    many.add(new InboxRecord.Entry(TestIdentities.named("bob").card(), Instant.EPOCH, true, Instant.EPOCH));
    for (int i = 1; i <= InboxRecord.MAX_REQUESTS + 10; i++) {
      many.add(new InboxRecord.Entry(TestIdentities.named("carol").card(), Instant.ofEpochMilli(i)));
    }
    InboxRecord r = InboxRecord.EMPTY.withChecked(YearMonth.of(2026, 11), Instant.EPOCH, Map.of(), many);
    assertThat(r.requests()).hasSize(InboxRecord.MAX_REQUESTS);
    assertThat(r.requests().get(0).shown()).isTrue();
    assertThat(r.requests().get(1).seen()).isEqualTo(Instant.ofEpochMilli(12));
  }

  private static final String NOISE = "{}[]\",:0123456789-abcrz\\u";

  @Test
  void mutatedRecordsParseOrFailWithOneTypedError() {
    String json = sample.toJson();
    Random random = new Random(20261123);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder b = new StringBuilder(json);
      for (int k = 1 + random.nextInt(4); k > 0; k--) {
        int at = random.nextInt(b.length());
        switch (random.nextInt(3)) {
          case 0 -> b.deleteCharAt(at);
          case 1 -> b.insert(at, NOISE.charAt(random.nextInt(NOISE.length())));
          default -> b.setCharAt(at, (char) (32 + random.nextInt(95)));
        }
      }
      try {
        InboxRecord.parse(b.toString());
      } catch (LocalStateException expected) {
        assertThat(expected).hasMessageContaining("requests.json");
      }
    }
  }

  @Test
  void notJsonAndOversizedListsAreDamaged() {
    assertThatThrownBy(() -> InboxRecord.parse("")).isInstanceOf(LocalStateException.class);
    assertThatThrownBy(() -> InboxRecord.parse("{\"v\":2}")).isInstanceOf(LocalStateException.class);
    StringBuilder huge = new StringBuilder("{\"v\":1,\"read\":{},\"requests\":[],\"introduced\":[],\"ignored\":[");
    for (int i = 0; i <= InboxRecord.MAX_NAMES; i++) {
      huge.append(i == 0 ? "" : ",").append('"').append("0".repeat(64)).append('"');
    }
    assertThatThrownBy(() -> InboxRecord.parse(huge + "]}")).isInstanceOf(LocalStateException.class);
  }
}
