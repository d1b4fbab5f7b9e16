package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.testing.TestIdentities;

class FriendListTest {
  @TempDir Path dir;
  private Profile profile;
  private FriendList friends;
  private final Identity me = TestIdentities.named("owner");
  private final PublicCard bob = TestIdentities.named("bob").card();
  private final PublicCard carol = TestIdentities.named("carol").card();

  @BeforeEach
  void open() throws Exception {
    profile = Profile.open(dir.resolve("profile"));
    friends = profile.friends();
  }

  private static ProfileException.Kind kindOf(ThrowingRunnable r) {
    try {
      r.run();
    } catch (ProfileException e) {
      return e.kind();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("no ProfileException");
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void addListRenameVerifyRemove() throws Exception {
    Friend added = friends.add("Bob", bob, me.card());
    assertThat(added.verified()).isFalse();
    assertThat(added.fingerprint()).isEqualTo(bob.fingerprintText());
    friends.add("Carol_Danvers", carol, me.card());
    assertThat(friends.list()).extracting(Friend::nickname).containsExactly("Bob", "Carol_Danvers");
    assertThat(friends.get("bob").card()).isEqualTo(bob); // nicknames ignore case
    friends.rename("bob", "Bobby");
    assertThat(friends.find("Bob")).isEmpty();
    assertThat(friends.markVerified("BOBBY").verified()).isTrue();
    assertThat(friends.get("Bobby").verified()).isTrue();
    friends.remove("carol_danvers");
    assertThat(friends.list()).extracting(Friend::nickname).containsExactly("Bobby");
    String json = Files.readString(friends.file());
    assertThat(json).contains("\"schema\": 1", "\"nickname\": \"Bobby\"", bob.toString(), "\"verified\": true", "\"added\":");
  }

  @Test
  void eachRefusalIsATypedError() throws Exception {
    friends.add("bob", bob, me.card());
    assertThat(kindOf(() -> friends.add("BOB", carol, me.card()))).isEqualTo(ProfileException.Kind.DUPLICATE_NICKNAME);
    assertThat(kindOf(() -> friends.add("robert", bob, me.card()))).isEqualTo(ProfileException.Kind.DUPLICATE_CARD);
    assertThat(kindOf(() -> friends.add("me", me.card(), me.card()))).isEqualTo(ProfileException.Kind.OWN_CARD);
    assertThat(kindOf(() -> friends.get("nobody"))).isEqualTo(ProfileException.Kind.UNKNOWN_FRIEND);
    assertThat(kindOf(() -> friends.remove("nobody"))).isEqualTo(ProfileException.Kind.UNKNOWN_FRIEND);
    friends.add("carol", carol, me.card());
    assertThat(kindOf(() -> friends.rename("carol", "Bob"))).isEqualTo(ProfileException.Kind.DUPLICATE_NICKNAME);
    assertThatThrownBy(() -> friends.get("nobody")).hasMessageContaining("no friend called nobody")
        .hasMessageContaining("reschat friend list");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " bob", "bob ", "-bob", "/bob", "tab\there", "new\nline", "zero\u200bwidth",
      "a-name-that-is-far-longer-than-32-chars", "bad nick", "semi;colon", "quo'te", "$HOME"})
  void badNicknamesAreRefused(String nickname) {
    assertThat(kindOf(() -> friends.add(nickname, bob, me.card()))).isEqualTo(ProfileException.Kind.INVALID_NICKNAME);
  }

  @Test
  void unicodeNicknamesWork() throws Exception {
    friends.add("Zoë🌻", bob, me.card());
    assertThat(friends.get("zoë🌻").card()).isEqualTo(bob);
    assertThat(friends.get("Zoe\u0308🌻").card()).isEqualTo(bob); // decomposed spelling, same name
  }

  @Test
  void aNicknameSavedBeforeTheOneWordRuleStillLoads() throws Exception {
    friends.add("carol", bob, me.card());
    Files.writeString(friends.file(), Files.readString(friends.file()).replace("\"carol\"", "\"Carol Smith\""));
    assertThat(friends.get("carol smith").card()).isEqualTo(bob);
    assertThatThrownBy(() -> friends.add("bad nick", carol, me.card()))
        .hasMessage("\"bad nick\" is not a nickname: " + Nicknames.RULE);
  }

  @Test
  void filesAndDirectoriesArePrivate() throws Exception {
    friends.add("bob", bob, me.card());
    profile.createIdentity("{}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(profile.directory()))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(friends.file()))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(profile.identityFile()))).isEqualTo("rw-------");
    assertThat(Profile.isOpenToOthers(profile.directory())).isFalse();
  }

  @Test
  void anIdentityIsNeverReplaced() throws Exception {
    profile.createIdentity("{\"first\":true}");
    assertThat(kindOf(() -> profile.createIdentity("{\"second\":true}"))).isEqualTo(ProfileException.Kind.IDENTITY_EXISTS);
    assertThat(profile.readIdentity()).isEqualTo("{\"first\":true}");
    Profile empty = Profile.open(dir.resolve("empty"));
    assertThat(kindOf(empty::readIdentity)).isEqualTo(ProfileException.Kind.NO_IDENTITY);
  }

  @Test
  void aProfilePathThatIsAFileIsRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("afile"), "x");
    assertThatThrownBy(() -> Profile.open(file)).isInstanceOf(LocalStateException.class).hasMessageContaining("is a file");
  }

  // --- damaged files ---------------------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"not json", "[]", "{\"schema\":1}", "{\"schema\":1,\"friends\":[42]}",
      "{\"schema\":1,\"friends\":[{\"nickname\":\"bob\"}]}",
      "{\"friends\":[]}"})
  void aCorruptFriendsFileIsReportedAndLeftUntouched(String content) throws Exception {
    Files.writeString(friends.file(), content);
    byte[] before = Files.readAllBytes(friends.file());
    assertThatThrownBy(() -> friends.list()).isInstanceOf(LocalStateException.class)
        .hasMessageContaining(friends.file().toString()).hasMessageContaining("has not changed it");
    assertThatThrownBy(() -> friends.add("carol", carol, me.card())).isInstanceOf(LocalStateException.class);
    assertThat(Files.readAllBytes(friends.file())).isEqualTo(before);
  }

  @Test
  void aHandEditedCardThatNoLongerMatchesItsFingerprintIsReported() throws Exception {
    friends.add("bob", bob, me.card());
    String json = Files.readString(friends.file()).replace(bob.toString(), carol.toString());
    Files.writeString(friends.file(), json);
    assertThatThrownBy(() -> friends.list()).hasMessageContaining("fingerprint that does not match");
  }

  @Test
  void aNewerSchemaAsksForAnUpgrade() throws Exception {
    Files.writeString(friends.file(), "{\"schema\":2,\"friends\":[]}");
    assertThatThrownBy(() -> friends.list()).hasMessageContaining("upgrade ResChat");
  }

  // --- crashes and concurrency ------------------------------------------------------------------------------

  @Test
  void aCrashBeforeTheRenameLeavesTheOldFileIntact() throws Exception {
    friends.add("bob", bob, me.card());
    byte[] before = Files.readAllBytes(friends.file());
    AtomicFiles.crashPoint = temp -> {
      throw new java.io.IOException("simulated crash");
    };
    try {
      assertThatThrownBy(() -> friends.add("carol", carol, me.card())).isInstanceOf(LocalStateException.class);
    } finally {
      AtomicFiles.crashPoint = temp -> { };
    }
    assertThat(Files.readAllBytes(friends.file())).isEqualTo(before);
    assertThat(friends.list()).extracting(Friend::nickname).containsExactly("bob");
  }

  @Test
  void aProcessKilledBetweenTempFileAndRenameLeavesTheOldFileReadable() throws Exception {
    friends.add("bob", bob, me.card());
    byte[] before = Files.readAllBytes(friends.file());
    Process p = ChildJvm.start(dir.resolve("crash.log"), CrashingWriterProcess.class, friends.file().toString(), "{half-written");
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("crash.log"))).isEqualTo(137);
    assertThat(Files.readAllBytes(friends.file())).isEqualTo(before);
    try (Stream<Path> files = Files.list(friends.file().getParent())) {
      assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith(".friends.json.tmp-"));
    }
    // The leftover temp file is ignored; the next change works.
    friends.add("carol", carol, me.card());
    assertThat(friends.list()).extracting(Friend::nickname).containsExactly("bob", "carol");
  }

  @Test
  void twoProcessesAddingDifferentFriendsAtOnceKeepBoth() throws Exception {
    int each = 15;
    List<Process> processes = new ArrayList<>();
    for (String prefix : List.of("x", "y")) {
      processes.add(ChildJvm.start(dir.resolve(prefix + ".log"), FriendAdderProcess.class,
          profile.directory().toString(), prefix, Integer.toString(each)));
    }
    for (Process p : processes) {
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    }
    List<String> names = friends.list().stream().map(Friend::nickname).collect(Collectors.toList());
    assertThat(names).hasSize(2 * each);
    for (int i = 0; i < each; i++) {
      assertThat(names).contains("x" + i, "y" + i);
    }
    assertThat(new String(Files.readAllBytes(friends.file()), StandardCharsets.UTF_8)).startsWith("{");
  }
}
