package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.spi.LocalState;
import org.reschat.localdb.Profile;

/**
 * {@link HeldRecordsTest}'s promises on the profile on disk: the companion feed's name is one the profile's file
 * layout takes, a kept record is not filed among the feed's pages, and the records are restored when the profile
 * is opened again.
 */
class HeldRecordsOnProfileTest {
  @TempDir Path dir;

  @Test
  void recordsAreKeptApartFromPagesOnTheProfileAndRestoredWhenItIsOpenedAgain() throws Exception {
    LocalState state = Profile.open(dir.resolve("p")).state();
    java.util.List<org.reschat.core.internal.page.SlotRecord> kept = HeldRecordsTest.keptApartFromPages(state);
    LocalState again = Profile.open(dir.resolve("p")).state();
    HeldRecordsTest.restored(again, kept.subList(0, 3), kept.subList(3, 5));
    assertThat(again.newestPage(HeldRecordsTest.aliceWithBob().myFeed())).isZero();
  }
}
