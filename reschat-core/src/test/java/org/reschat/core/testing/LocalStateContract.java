package org.reschat.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.internal.page.Page;
import org.reschat.core.spi.LocalState;

/** What every {@link LocalState} does. An implementation's test extends this and supplies a fresh, empty state. */
public abstract class LocalStateContract {
  private static final Conversation AB = Conversation.pair(TestIdentities.named("alice"), TestIdentities.named("bob").card());
  private static final java.util.List<String> PAGES = PageFixtures.pages(AB, 45).stream().map(p -> PageFixtures.seal(AB, p)).toList();

  protected abstract LocalState newState() throws Exception;

  private static String json(int i) {
    return PAGES.get(i);
  }

  @Test
  void pagesAreKeptPerFeedAndReplacedByNewerVersions() throws Exception {
    LocalState state = newState();
    FeedId mine = AB.myFeed();
    FeedId theirs = AB.feeds().get(1);
    assertThat(state.newestPage(mine)).isZero();
    assertThat(state.page(mine, 1)).isEmpty();
    state.savePage(mine, 1, json(0));
    state.savePage(mine, 2, json(1));
    state.savePage(mine, 2, json(2));
    assertThat(state.page(mine, 2)).contains(json(2));
    assertThat(state.newestPage(mine)).isEqualTo(2);
    assertThat(state.newestPage(theirs)).isZero();
    state.savePage(mine, 10, json(0));
    assertThat(state.newestPage(mine)).isEqualTo(10);
  }

  @Test
  void outboxKeepsTheNewestVersionAndRemovesOnlyAnUnchangedOne() throws Exception {
    LocalState state = newState();
    FeedId mine = AB.myFeed();
    assertThat(state.outbox(mine)).isEmpty();
    state.putOutbox(mine, 3, json(0));
    state.putOutbox(mine, 2, json(1));
    assertThat(state.outbox(mine).keySet()).containsExactly(2L, 3L);
    state.putOutbox(mine, 3, json(2));
    state.removeOutbox(mine, 3, json(0)); // an older version: the newer stays
    assertThat(state.outbox(mine)).containsEntry(3L, json(2));
    state.removeOutbox(mine, 3, json(2));
    assertThat(state.outbox(mine).keySet()).containsExactly(2L);
  }

  @Test
  void confirmingAQueuedPageMakesItTheVerifiedOneAndTakesItOutOfTheOutbox() throws Exception {
    LocalState state = newState();
    FeedId mine = AB.myFeed();
    state.savePage(mine, 1, json(0));
    state.putOutbox(mine, 1, json(1));
    state.putOutbox(mine, 2, json(2));
    state.confirmOutbox(mine, 1, json(1));
    assertThat(state.page(mine, 1)).contains(json(1));
    assertThat(state.outbox(mine).keySet()).containsExactly(2L);
    state.confirmOutbox(mine, 2, json(2)); // a page this client held nothing of before
    assertThat(state.page(mine, 2)).contains(json(2));
    assertThat(state.newestPage(mine)).isEqualTo(2);
    assertThat(state.outbox(mine)).isEmpty();
    // Another version queued since: that one is still to be published; the confirmed one is kept as verified.
    state.putOutbox(mine, 3, json(1));
    state.confirmOutbox(mine, 3, json(0));
    assertThat(state.page(mine, 3)).contains(json(0));
    assertThat(state.outbox(mine)).containsEntry(3L, json(1));
  }

  @Test
  void evidenceIsKeptBesideTheVerifiedCopyAndNeverReplacesIt() throws Exception {
    LocalState state = newState();
    FeedId theirs = AB.feeds().get(1);
    state.savePage(theirs, 1, json(0));
    state.saveEvidence(theirs, 1, json(1));
    state.saveEvidence(theirs, 1, json(1));
    state.saveEvidence(theirs, 1, json(2));
    assertThat(state.page(theirs, 1)).contains(json(0));
    assertThat(state.evidence(theirs, 1)).containsExactlyInAnyOrder(json(1), json(2));
    assertThat(state.evidence(theirs, 2)).isEmpty();
  }

  @Test
  void theRecordOfInvitationsWaitingIsEmptyUntilSavedAndThenReplaced() throws Exception {
    LocalState state = newState();
    assertThat(state.pendingInvitations()).isEmpty();
    state.savePendingInvitations("first");
    state.savePendingInvitations("second");
    assertThat(state.pendingInvitations()).contains("second");
  }

  @Test
  void deliveredPositionStartsAtTheBeginning() throws Exception {
    LocalState state = newState();
    assertThat(state.delivered(AB.feeds().get(1))).isEqualTo(LocalState.Position.START);
    state.saveDelivered(AB.feeds().get(1), new LocalState.Position(4, 7));
    assertThat(state.delivered(AB.feeds().get(1))).isEqualTo(new LocalState.Position(4, 7));
    assertThat(state.delivered(AB.myFeed())).isEqualTo(LocalState.Position.START);
  }

  @Test
  void deviceRecordsAreKeptByNameAndReplaced() throws Exception {
    LocalState state = newState();
    assertThat(state.deviceRecord("list-ab12")).isEmpty();
    state.saveDeviceRecord("list-ab12", "{\"v\":1}");
    state.saveDeviceRecord("own", "one");
    state.saveDeviceRecord("own", "two");
    assertThat(state.deviceRecord("list-ab12")).contains("{\"v\":1}");
    assertThat(state.deviceRecord("own")).contains("two");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> state.saveDeviceRecord("../escape", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theLockSerialisesThreads() throws Exception {
    LocalState state = newState();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Object>> futures = pool.invokeAll(java.util.Collections.nCopies(4, () -> {
        for (int i = 0; i < 25; i++) {
          try (LocalState.Lock lock = state.lock(AB.id())) {
            if (inside.incrementAndGet() > 1) {
              overlaps.incrementAndGet();
            }
            Thread.sleep(1);
            inside.decrementAndGet();
          }
        }
        return null;
      }));
      for (Future<Object> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(overlaps).hasValue(0);
  }

  @Test
  void theLockIsReentrantForTheHoldingThread() throws Exception {
    LocalState state = newState();
    try (LocalState.Lock outer = state.lock(AB.id()); LocalState.Lock inner = state.lock(AB.id())) {
      assertThat(inner).isNotNull();
    }
  }
}
