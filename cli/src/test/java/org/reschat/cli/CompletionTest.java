package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tab completes friends' nicknames and group names (issue 20), in a real bash with the generated script. */
class CompletionTest {
  @TempDir Path dir;

  @Test
  void namesArePrintedForCompletionWithoutAskingForAPassphrase() {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "group", "create", "trip", "--member", "bob"));
    assertThat(CliHarness.check(cli.as("alice", "complete-names")).lines()).containsExactly("bob", "trip");

    cli.env.put("RESCHAT_PASSPHRASE", PassphraseStrengthTest.STRONG);
    CliHarness.check(cli.as("carol", "init", "--argon2-memory", "19456"));
    CliHarness.check(cli.as("carol", "friend", "add", "alice", cli.as("alice", "whoami", "--json").out()
        .replaceAll("(?s).*\"card\":\"([^\"]+)\".*", "$1")));
    cli.env.remove("RESCHAT_PASSPHRASE");
    cli.prompt = p -> {
      throw new AssertionError("asked for a passphrase at Tab time: " + p);
    };
    CliHarness.Result quiet = CliHarness.check(cli.as("carol", "complete-names"));
    assertThat(quiet.lines()).containsExactly("alice");
    assertThat(CliHarness.check(cli.as("nobody", "complete-names")).out()).isEmpty();
  }

  @Test
  void tabAfterSendOffersTheProfilesFriendsAndGroups() throws Exception {
    Path bash = Path.of("/bin/bash");
    assumeTrue(Files.isExecutable(bash), "no bash to complete in");
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "friend", "add", "bobby", cli.init("robert")));
    CliHarness.check(cli.as("alice", "group", "create", "book-club", "--member", "bob"));
    Path script = dir.resolve("completion.bash");
    Files.writeString(script, CliHarness.check(cli.run("generate-completion")).out());
    // What a person's `reschat` is: this build, on this test's profiles and ledger.
    Path reschat = dir.resolve("reschat");
    StringBuilder launcher = new StringBuilder("#!/bin/sh\n");
    for (Map.Entry<String, String> e : cli.env.entrySet()) {
      launcher.append("export ").append(e.getKey()).append("='").append(e.getValue()).append("'\n");
    }
    launcher.append("exec '").append(ProcessHandle.current().info().command().orElseThrow()).append("' -cp '")
        .append(System.getProperty("java.class.path")).append("' -XX:TieredStopAtLevel=1 ")
        .append(Main.class.getName()).append(" \"$@\"\n");
    Files.writeString(reschat, launcher);
    Files.setPosixFilePermissions(reschat, PosixFilePermissions.fromString("rwx------"));

    assertThat(complete(bash, script, reschat, "--home", dir.resolve("alice").toString(), "send", "bo"))
        .containsExactlyInAnyOrder("bob", "bobby", "book-club");
    assertThat(complete(bash, script, reschat, "--home", dir.resolve("alice").toString(), "group", "show", "book"))
        .containsExactly("book-club");
    assertThat(complete(bash, script, reschat, "--home", dir.resolve("alice").toString(), "search", "--friend", "bobb"))
        .containsExactly("bobby");
  }

  /** What bash offers for the last word of {@code words} (the command line so far). */
  private List<String> complete(Path bash, Path script, Path reschat, String... words) throws Exception {
    List<String> line = new ArrayList<>(List.of(reschat.toString()));
    line.addAll(List.of(words));
    StringBuilder quoted = new StringBuilder();
    for (String w : line) {
      quoted.append(" '").append(w).append("'");
    }
    String program = "source '" + script + "'\nCOMP_WORDS=(" + quoted + " )\nCOMP_CWORD=" + (line.size() - 1)
        + "\n_complete_reschat\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Process p = new ProcessBuilder(bash.toString(), "-c", program)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start(); // compopt complains outside a real Tab
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return out.lines().filter(l -> !l.isBlank()).toList();
  }
}
