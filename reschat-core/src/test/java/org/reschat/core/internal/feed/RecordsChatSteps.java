package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;

/**
 * The steps that bring a direct chat of two clients on one ledger to slot records (protocol §4.8), shared by the
 * tests that count the work of a records send or receive.
 */
final class RecordsChatSteps {
  private RecordsChatSteps() {}

  /** Bob writes first, then each reads the other's notice: both have shown version 5, so both write records. */
  static void exchangeNotices(ChatClient alice, ChatClient bob) throws Exception {
    ChatId toBob = ChatId.direct(bob.card());
    ChatId toAlice = ChatId.direct(alice.card());
    bob.send(toAlice, "hi");
    alice.update(toBob);
    bob.update(toAlice);
    alice.update(toBob);
  }

  /**
   * {@link #exchangeNotices}, then twelve messages of Alice's, each read by Bob: her page 1 (her notice and them)
   * was begun whole, so it stays whole (§4.8, where records start), and the page after it is written as records.
   */
  static void aliceFillsHerFirstPage(ChatClient alice, ChatClient bob) throws Exception {
    exchangeNotices(alice, bob);
    ChatId toBob = ChatId.direct(bob.card());
    ChatId toAlice = ChatId.direct(alice.card());
    for (int i = 0; i < 12; i++) {
      alice.send(toBob, "filling " + i);
      assertThat(bob.update(toAlice).received()).hasSize(1);
    }
  }

  /** {@code state}, counting in {@code reads} the reads of kept records (pages of a companion feed, {@link HeldRecords}). */
  static LocalState countingKeptRecordReads(LocalState state, AtomicInteger reads) {
    return (LocalState) Proxy.newProxyInstance(LocalState.class.getClassLoader(), new Class<?>[] {LocalState.class},
        (proxy, method, args) -> {
          if (method.getName().equals("page") && ((FeedId) args[0]).writer().endsWith("-records")) {
            reads.incrementAndGet();
          }
          try {
            return method.invoke(state, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
