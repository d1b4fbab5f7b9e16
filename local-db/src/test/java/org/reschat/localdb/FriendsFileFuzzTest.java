package org.reschat.localdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.reschat.core.LocalStateException;
import org.reschat.core.testing.TestIdentities;

/** A friends file holding random or mutated text: a list or the documented error, and the file untouched. */
@net.jqwik.api.Tag("slow") // property-based, 2000 tries: left out by mvn -Pfast
class FriendsFileFuzzTest {
  private static Path dir;
  private static String valid;

  @BeforeContainer
  static void validFile() throws Exception {
    dir = Files.createTempDirectory("reschat-friends-fuzz");
    FriendList list = new FriendList(dir.resolve("seed.json"), Clock.systemUTC(), Access.WRITABLE);
    list.add("bob", TestIdentities.named("bob").card(), TestIdentities.named("owner").card());
    list.add("Zoë", TestIdentities.named("zoe").card(), TestIdentities.named("owner").card());
    valid = Files.readString(dir.resolve("seed.json"));
  }

  @AfterContainer
  static void cleanUp() throws Exception {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Property
  void randomText(@ForAll("noise") String text) throws Exception {
    check(text);
  }

  @Property
  void mutatedFiles(@ForAll("mutations") String text) throws Exception {
    check(text);
  }

  private static void check(String text) throws Exception {
    Path file = dir.resolve("friends.json");
    Files.writeString(file, text);
    try {
      new FriendList(file, Clock.systemUTC(), Access.WRITABLE).list();
    } catch (LocalStateException e) {
      assertThat(e.getMessage()).contains(file.toString());
    }
    assertThat(Files.readString(file)).isEqualTo(text);
  }

  @Provide
  Arbitrary<String> noise() {
    return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200),
        Arbitraries.strings().withChars("{}[]\":,0123456789schemafriendsnicknamecardverifiedtrue ").ofMaxLength(200));
  }

  @Provide
  Arbitrary<String> mutations() {
    Arbitrary<Integer> position = Arbitraries.integers().between(0, valid.length() - 1);
    Arbitrary<String> replacement = Arbitraries.of("", "\"", "}", "]", ",", "0", "A", "true", "null", "{}", "é", "\\");
    Arbitrary<Integer> cut = Arbitraries.integers().between(0, 4);
    return Combinators.combine(position, replacement, cut)
        .as((p, r, n) -> valid.substring(0, p) + r + valid.substring(Math.min(valid.length(), p + n)));
  }
}
