package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The newest page of a directory, kept between calls: never stale when another process adds a page. */
class PageFilesTest {
  @TempDir Path dir;

  @Test
  void aPageAnotherProcessAddsIsSeenAtOnceWhetherTheDirectoryWasQuietOrJustChanged() throws Exception {
    Path profile = Profile.open(dir.resolve("p")).directory();
    Path feed = profile.resolve("state/pages/CONV.TAG");
    PageFiles mine = new PageFiles(new TrustedFiles(profile, false));
    PageFiles theirs = new PageFiles(new TrustedFiles(profile, false)); // another process: no shared memory
    assertThat(mine.newest(feed)).isZero();
    PageFiles.write(feed.resolve("1.page"), OutboxLogTest.V.get(0));
    assertThat(mine.newest(feed)).isEqualTo(1); // changed just now: listed again, not kept
    PageFiles.write(feed.resolve("2.page"), OutboxLogTest.V.get(1));
    assertThat(mine.newest(feed)).isEqualTo(2);
    Files.setLastModifiedTime(feed, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
    assertThat(mine.newest(feed)).isEqualTo(2); // quiet for an hour: this listing is kept
    PageFiles.write(feed.resolve("3.page"), OutboxLogTest.V.get(2));
    assertThat(theirs.newest(feed)).isEqualTo(3);
    assertThat(mine.newest(feed)).as("the directory changed: listed again").isEqualTo(3);
    Files.setLastModifiedTime(feed, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
    assertThat(mine.newest(feed)).isEqualTo(3);
    Files.delete(feed.resolve("3.page"));
    assertThat(mine.newest(feed)).isEqualTo(2);
  }

  @Test
  void aPageRewrittenByAnotherProcessIsReadAnewWhetherItWasQuietOrJustWritten() throws Exception {
    Path profile = Profile.open(dir.resolve("p")).directory();
    Path page = profile.resolve("state/pages/CONV.TAG/1.page");
    PageFiles mine = new PageFiles(new TrustedFiles(profile, false));
    PageFiles.write(page, OutboxLogTest.V.get(0));
    assertThat(mine.read(page)).contains(OutboxLogTest.V.get(0));
    PageFiles.write(page, OutboxLogTest.V.get(1)); // another process: a new file by rename
    assertThat(mine.read(page)).contains(OutboxLogTest.V.get(1));
    Files.setLastModifiedTime(page, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
    assertThat(mine.read(page)).contains(OutboxLogTest.V.get(1)); // quiet for an hour: kept
    PageFiles.write(page, OutboxLogTest.V.get(2));
    assertThat(mine.read(page)).contains(OutboxLogTest.V.get(2));
    Files.writeString(page, "{broken"); // changed in place, as a damaged disk or a person might
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> mine.read(page))).hasMessageContaining("damaged");
    Files.delete(page);
    assertThat(mine.read(page)).isEmpty();
  }

  /** The same for the small files a send reads (device records, cursors, group states). */
  @Test
  void aTextFileReplacedByAnotherProcessIsReadAnewWhetherItWasQuietOrJustWritten() throws Exception {
    Path profile = Profile.open(dir.resolve("p")).directory();
    Path record = profile.resolve("state/devices/list.record");
    PageFiles mine = new PageFiles(new TrustedFiles(profile, false));
    assertThat(mine.readText(record)).isEmpty();
    AtomicFiles.write(record, "one".getBytes());
    assertThat(mine.readText(record)).contains("one");
    Files.setLastModifiedTime(record, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
    assertThat(mine.readText(record)).contains("one"); // kept
    AtomicFiles.write(record, "two".getBytes()); // same size, another file
    assertThat(mine.readText(record)).contains("two");
    Files.delete(record);
    assertThat(mine.readText(record)).isEmpty();
  }
}
