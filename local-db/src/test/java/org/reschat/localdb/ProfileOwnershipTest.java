package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.LocalStateException;
import org.reschat.core.spi.FeedId;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.testing.TestIdentities;

/**
 * Issue 19 item 7: a profile directory or file that another local user owns, or may write, is not
 * trusted, as ssh's StrictModes does not trust such an authorized_keys; and no file of a profile is read
 * through a symbolic link. Ownership by another user can only be made as root (CI runs as root): those
 * cases are skipped, with that reason, for anyone else.
 */
class ProfileOwnershipTest {
  /** A uid no account of the test machine has: "another local user". */
  private static final int MALLORY = 4242;

  @TempDir Path dir;
  private final Identity me = TestIdentities.named("owner");
  private final PublicCard bob = TestIdentities.named("bob").card();
  private final PublicCard mallory = TestIdentities.named("mallory").card();

  /** Whether this test runs as root: the owner of a directory it just made is uid 0. */
  private boolean root() throws Exception {
    return ((Integer) Files.getAttribute(dir, "unix:uid")) == 0;
  }

  /** friends.json as Mallory writes it: "bob" is her card, marked verified. */
  private String mallorysFriendsFile() {
    return "{\"schema\": 1, \"friends\": [{\"nickname\": \"bob\", \"card\": \"" + mallory + "\", \"fingerprint\": \""
        + mallory.fingerprintText() + "\", \"verified\": true, \"added\": \"2026-11-22T10:00:00Z\"}]}\n";
  }

  private static void chown(Path p, int uid) throws Exception {
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
  }

  private static void chmod(Path p, String mode) throws Exception {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
  }

  @Test
  void aFriendsFileAnotherUserPutInPlaceIsRefusedNotTrusted() throws Exception {
    assumeThat(root()).as("only root can give a file to another user").isTrue();
    Path home = dir.resolve("alice");
    Profile.open(home).friends().add("bob", bob, me.card());
    // Mallory, who once could write the directory, replaced the file with her own.
    Path friends = home.resolve("friends.json");
    Files.delete(friends);
    Files.writeString(friends, mallorysFriendsFile(), StandardCharsets.UTF_8);
    chown(friends, MALLORY);

    assertThatThrownBy(() -> Profile.open(home).friends().get("bob"))
        .isInstanceOf(LocalStateException.class)
        .hasMessage("The file " + friends + " belongs to another user (uid " + MALLORY + "), so anyone could have"
            + " written it; ResChat trusts only files you own. Check it, then give it to yourself with 'chown' (or move it aside).");
    assertThat(Files.readString(friends)).isEqualTo(mallorysFriendsFile()); // left as it was
  }

  @Test
  void aProfileDirectoryAnotherUserMadeIsRefusedBeforeAnythingIsWrittenInIt() throws Exception {
    assumeThat(root()).as("only root can give a directory to another user").isTrue();
    Path home = Files.createDirectory(dir.resolve("shared"));
    chown(home, MALLORY);
    chmod(home, "rwxrwxrwx"); // made for the victim to use, and to be written by Mallory later

    assertThatThrownBy(() -> Profile.open(home))
        .isInstanceOf(LocalStateException.class)
        .hasMessageStartingWith("The profile directory " + home + " belongs to another user (uid " + MALLORY + ")");
    try (var entries = Files.list(home)) {
      assertThat(entries).isEmpty();
    }
  }

  @Test
  void aProfileDirectoryOthersMayWriteIsRefused() throws Exception {
    Path home = dir.resolve("alice");
    Profile.open(home).friends().add("bob", bob, me.card());
    chmod(home, "rwxrwxrwx");

    assertThatThrownBy(() -> Profile.open(home))
        .isInstanceOf(LocalStateException.class)
        .hasMessage("The profile directory " + home + " may be written by other users (mode 0777), so anyone could have"
            + " changed what it holds; ResChat does not use it. Check its files, then run 'chmod 700 " + home + "'.");
  }

  @Test
  void aFriendsFileOthersMayWriteIsRefused() throws Exception {
    Path home = dir.resolve("alice");
    Profile.open(home).friends().add("bob", bob, me.card());
    chmod(home.resolve("friends.json"), "rw-rw-rw-");

    assertThatThrownBy(() -> Profile.open(home).friends().get("bob"))
        .isInstanceOf(LocalStateException.class)
        .hasMessageStartingWith("The file " + home.resolve("friends.json") + " may be written by other users (mode 0666)");
  }

  /**
   * A file checked once is stamped from one plain stat while it is the same file (TrustedFiles.passed): opened to
   * others in place afterwards, or replaced by a link, it is refused by the same profile object at the next read.
   */
  @Test
  void aLogOpenedToOthersOrReplacedByALinkAfterItWasReadIsRefusedByTheSameProfile() throws Exception {
    Path home = dir.resolve("alice");
    Profile profile = Profile.open(home);
    FeedId feed = new FeedId("MHzMCphnox5Yqm4fkP50IA", "519yaTVhz44", 0);
    profile.state().putOutbox(feed, 1, "one");
    assertThat(profile.state().outbox(feed)).containsOnlyKeys(1L);
    assertThat(profile.state().outbox(feed)).containsOnlyKeys(1L);
    Path log = home.resolve("state/outbox").resolve(feed + ".log");
    chmod(log, "rw-rw-rw-");
    assertThatThrownBy(() -> profile.state().outbox(feed)).isInstanceOf(LocalStateException.class)
        .hasMessageStartingWith("The file " + log.toAbsolutePath().normalize() + " may be written by other users (mode 0666)");

    chmod(log, "rw-------");
    assertThat(profile.state().outbox(feed)).containsOnlyKeys(1L);
    Path elsewhere = dir.resolve("elsewhere.log");
    Files.copy(log, elsewhere);
    Files.delete(log);
    Files.createSymbolicLink(log, elsewhere);
    assertThatThrownBy(() -> profile.state().outbox(feed)).isInstanceOf(LocalStateException.class)
        .hasMessageStartingWith("The file " + log.toAbsolutePath().normalize() + " is a symbolic link");
  }

  @Test
  void aFriendsFileThatIsALinkIsNotFollowed() throws Exception {
    Path home = dir.resolve("alice");
    Profile.open(home).friends().add("bob", bob, me.card());
    Path elsewhere = Files.writeString(dir.resolve("elsewhere.json"), mallorysFriendsFile());
    chmod(elsewhere, "rw-------");
    Path friends = home.resolve("friends.json");
    Files.delete(friends);
    Files.createSymbolicLink(friends, elsewhere);

    assertThatThrownBy(() -> Profile.open(home).friends().get("bob"))
        .isInstanceOf(LocalStateException.class)
        .hasMessageStartingWith("The file " + friends + " is a symbolic link");
  }

  @Test
  void anIdentityFileThatIsALinkOrAnotherUsersIsRefused() throws Exception {
    Path home = dir.resolve("alice");
    Profile.open(home).createIdentity("{\"mine\":true}");
    Path identity = home.resolve("identity.json");
    Path theirs = Files.writeString(dir.resolve("theirs.json"), "{\"theirs\":true}");
    chmod(theirs, "rw-------");
    Files.delete(identity);
    Files.createSymbolicLink(identity, theirs);
    assertThatThrownBy(() -> Profile.open(home).readIdentity()).isInstanceOf(LocalStateException.class)
        .hasMessageStartingWith("The file " + identity + " is a symbolic link");
  }

  @Test
  void aStateDirectoryOrPageAnotherUserOwnsIsRefused() throws Exception {
    assumeThat(root()).as("only root can give a file to another user").isTrue();
    Path home = dir.resolve("alice");
    Profile profile = Profile.open(home);
    FeedId feed = new FeedId("MHzMCphnox5Yqm4fkP50IA", "519yaTVhz44", 0);
    profile.state().savePage(feed, 1, sealedLookingValue());
    Path pages = home.resolve("state").resolve("pages").resolve(feed.toString());
    chown(pages, MALLORY);
    assertThatThrownBy(() -> Profile.open(home).state().page(feed, 1)).isInstanceOf(LocalStateException.class)
        .hasMessageStartingWith("The directory " + pages + " belongs to another user (uid " + MALLORY + ")");
    chown(pages, 0);
    chown(pages.resolve("1.page"), MALLORY);
    assertThatThrownBy(() -> Profile.open(home).state().page(feed, 1)).isInstanceOf(LocalStateException.class)
        .hasMessageStartingWith("The file " + pages.resolve("1.page") + " belongs to another user (uid " + MALLORY + ")");
  }

  @Test
  void aStateDirectoryOthersMayWriteIsRefusedAtOpen() throws Exception {
    Path home = dir.resolve("alice");
    Profile.open(home).state().saveRequests("{}");
    chmod(home.resolve("state"), "rwxrwxrwx");
    assertThatThrownBy(() -> Profile.open(home)).isInstanceOf(LocalStateException.class)
        .hasMessageStartingWith("The directory " + home.resolve("state") + " may be written by other users (mode 0777)");
  }

  @Test
  void aProfileDirectoryOnlyReadableByOthersIsMadePrivateAndUsed() throws Exception {
    Path home = Files.createDirectory(dir.resolve("alice"));
    chmod(home, "rwxr-xr-x"); // made by 'mkdir' under the usual umask before 'reschat init'
    Profile.open(home).friends().add("bob", bob, me.card());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home))).isEqualTo("rwx------");
    assertThat(Profile.open(home).friends().get("bob").card()).isEqualTo(bob);
  }

  @Test
  void aProfileThatIsYoursAndPrivateStillOpensAfterAllThis() throws Exception {
    Path home = dir.resolve("alice");
    Profile.open(home).friends().add("bob", bob, me.card());
    assertThat(Profile.open(home).friends().list()).extracting(Friend::nickname).isEqualTo(List.of("bob"));
  }

  /** A value of the form a verified page has on disk (base64url after a version byte). */
  private static String sealedLookingValue() {
    byte[] b = new byte[200];
    b[0] = 2;
    return org.reschat.core.internal.crypto.Base64Url.encode(b);
  }
}
