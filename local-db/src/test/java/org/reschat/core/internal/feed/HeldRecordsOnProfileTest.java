package org.reschat.core.internal.feed;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.spi.LocalState;
import org.reschat.localdb.Profile;

/**
 * {@link HeldRecordsTest}'s promises on the profile on disk: the companion feed's name is one the profile's file
 * layout takes, its outbox log sorts records as they are written, and a confirmed record is not filed among the
 * feed's pages.
 */
class HeldRecordsOnProfileTest {
  @TempDir Path dir;

  @Test
  void recordsAreQueuedConfirmedAndKeptApartFromPagesOnTheProfile() throws Exception {
    LocalState state = Profile.open(dir.resolve("p")).state();
    HeldRecordsTest.queuedConfirmedAndKeptApartFromPages(state);
  }
}
