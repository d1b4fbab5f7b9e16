package org.reschat.localdb;

import java.nio.file.Path;
import org.reschat.core.spi.LocalState;

/**
 * Queues pages first, first + 2, … ({@code count} of them) in one feed's outbox log of the profile given, with a
 * small compaction bound, confirming every other one, and prints each as {@code page=value}: a second process for {@code OutboxLogTest}.
 */
public final class LogWriterProcess {
  private LogWriterProcess() {}

  public static void main(String[] args) throws Exception {
    Path profile = Path.of(args[0]);
    long first = Long.parseLong(args[1]);
    int count = Integer.parseInt(args[2]);
    FileLocalState state = new FileLocalState(profile.resolve("state"), new TrustedFiles(profile, false), 24 * 1024);
    for (int i = 0; i < count; i++) {
      long page = first + 2L * i;
      String value = OutboxLogTest.V.get((int) (page % 10));
      try (LocalState.Lock lock = state.lock(OutboxLogTest.AB.id())) { // as the engine does around a send
        state.putOutbox(OutboxLogTest.MINE, page, value);
        if (i % 2 == 0) {
          state.confirmOutbox(OutboxLogTest.MINE, page, value);
        }
      }
      System.out.println(page + "=" + value); // sealed in this JVM: the test learns the values from here
    }
  }
}
