package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file found missing is not asked for again while its directory is unchanged (a stat of the directory instead,
 * which costs no exception), counted, and never stale when another process creates the file, whether the directory was quiet or had just changed.
 */
class MissingFilesTest {
  @TempDir Path dir;

  @Test
  void aMissingRecordCostsNoMissWhileItsDirectoryIsQuietAndIsSeenAtOnceWhenAnotherProcessWritesIt() throws Exception {
    Path profile = Profile.open(dir.resolve("p")).directory();
    Path devices = profile.resolve("state/devices");
    Path record = devices.resolve("pairs.record");
    AtomicFiles.write(devices.resolve("list.record"), "list".getBytes());
    quiet(devices);
    TrustedFiles trusted = new TrustedFiles(profile, false);
    PageFiles mine = new PageFiles(trusted);
    assertThat(mine.readText(record)).isEmpty();
    assertThat(mine.readText(record)).isEmpty(); // the directory's quiet stamp is taken, then the file asked for
    assertThat(missesOf(trusted, () -> assertThat(mine.readText(record)).isEmpty()))
        .as("missing while its directory is unchanged: not asked for").isZero();

    AtomicFiles.write(record, "one".getBytes()); // another process
    assertThat(mine.readText(record)).contains("one");

    Files.delete(record); // the directory changed just now: no stamp of it counts for a second
    assertThat(mine.readText(record)).isEmpty();
    assertThat(missesOf(trusted, () -> assertThat(mine.readText(record)).isEmpty()))
        .as("a directory that just changed: the file is asked for").isEqualTo(1);
    AtomicFiles.write(record, "two".getBytes());
    assertThat(mine.readText(record)).contains("two");
  }

  /** A file whose directories do not exist yet costs one miss, its own: nothing there to trust, so none checked. */
  @Test
  void aFileInAMissingDirectoryCostsOneMiss() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    PageFiles pages = new PageFiles(p.trusted());
    Path page = p.directory().resolve("state/pages/CONV.NONE/1.page");
    assertThat(missesOf(p.trusted(), () -> assertThat(pages.read(page)).isEmpty())).isEqualTo(1);
  }

  /** A link planted where a file was missing is refused as before, not taken for "still missing". */
  @Test
  void aLinkPlantedWhereAFileWasMissingIsRefused() throws Exception {
    Path profile = Profile.open(dir.resolve("p")).directory();
    Path devices = profile.resolve("state/devices");
    Path record = devices.resolve("pairs.record");
    AtomicFiles.write(devices.resolve("list.record"), "list".getBytes());
    PageFiles mine = new PageFiles(new TrustedFiles(profile, false));
    quiet(devices);
    mine.readText(record);
    assertThat(mine.readText(record)).isEmpty();
    Files.writeString(dir.resolve("elsewhere"), "planted");
    Files.createSymbolicLink(record, dir.resolve("elsewhere"));
    assertThat(catchThrowable(() -> mine.readText(record))).hasMessageContaining("symbolic link");
  }

  /** An outbox log of another's feed (never one here) is not asked for while the outbox is unchanged. */
  @Test
  void anotherFeedsMissingLogIsNotAskedForWhileTheOutboxIsUnchanged() throws Exception {
    Profile p = Profile.open(dir.resolve("p"));
    Path outbox = p.directory().resolve("state/outbox");
    Path pages = p.directory().resolve("state/pages");
    Files.createDirectories(outbox);
    Files.createDirectories(pages);
    org.reschat.core.spi.FeedId theirs = new org.reschat.core.spi.FeedId("CONV", "THEIRS", 1);
    quiet(outbox);
    quiet(pages);
    p.state().newestPage(theirs);
    p.state().newestPage(theirs);
    long before = p.trusted().misses();
    assertThat(p.state().newestPage(theirs)).isZero();
    assertThat(p.trusted().misses() - before).as("neither the log nor the feed's directory of pages asked for").isZero();
    Files.write(outbox.resolve("CONV.THEIRS.log"), new byte[0]); // what a process writing it would start with
    assertThat(catchThrowable(() -> p.state().newestPage(theirs))).as("read, and found too short")
        .hasMessageContaining("damaged");
  }

  private interface Read {
    void run() throws Exception;
  }

  private static long missesOf(TrustedFiles trusted, Read read) throws Exception {
    long before = trusted.misses();
    read.run();
    return trusted.misses() - before;
  }

  private static void quiet(Path directory) throws Exception {
    Files.setLastModifiedTime(directory, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
  }
}
