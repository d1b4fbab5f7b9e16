package org.reschat.cli;

import java.util.Optional;
import org.reschat.kv.ChangeNotifier;
import org.reschat.kv.ChangeWaiter;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvStore;

/** The wait between polls of {@code receive --follow} and the chat view: cut short when the store hints. */
public final class LedgerWatch {
  /**
   * Keys watched for hints: every ResChat page key. Keys are opaque, so a client cannot watch only its
   * own conversations without telling the store which keys are its; other people's writes cost a
   * spurious hint, never a missed one.
   */
  static final String PREFIX = org.reschat.core.conversation.Conversation.KEY_PREFIX;

  /** {@code -Dreschat.push=off} turns the hints off: plain polling, for comparison and troubleshooting. */
  static final String SWITCH = "reschat.push";

  private LedgerWatch() {}

  /** A waiter on the session's store; close it when the polling stops. */
  public static ChangeWaiter open(Session session) throws Exception {
    return ChangeWaiter.on(store(session), PREFIX);
  }

  /** A waiter that, without hints, still polls at the poll interval (for bounded runs such as {@code --polls}). */
  public static ChangeWaiter openPollingAtInterval(Session session) throws Exception {
    return ChangeWaiter.on(store(session), PREFIX, session.settings().pollInterval());
  }

  private static KvStore store(Session session) throws Exception {
    KvStore store = session.store();
    if (!"off".equals(System.getProperty(SWITCH))) {
      return store;
    }
    return new ForwardingKvStore(store) {
      @Override
      public Optional<ChangeNotifier> changes() {
        return Optional.empty();
      }
    };
  }
}
