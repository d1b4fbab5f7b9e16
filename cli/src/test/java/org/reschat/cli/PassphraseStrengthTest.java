package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;

/** A weak new passphrase is named with its guessing cost and used only with a confirmation. */
class PassphraseStrengthTest {
  static final String WEAK = "sekret";
  static final String STRONG = "lamp orbit kettle prism seven";

  @TempDir Path dir;
  CliHarness cli;

  @BeforeEach
  void harness() {
    cli = new CliHarness(dir);
  }

  @Test
  void aWeakPassphraseFromTheEnvironmentIsRefusedWithoutTheFlag() {
    cli.env.put("RESCHAT_PASSPHRASE", WEAK);
    Result r = cli.as("alice", "init", "--argon2-memory", "19456");
    assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).as(r.toString()).startsWith("reschat: This passphrase is weak: about ")
        .contains(" guesses find it, ", " for one computer at 0.2 s per guess", "--allow-weak-passphrase",
            "nothing was created.")
        .doesNotContain(WEAK, "\tat ");
    assertThat(r.err().lines()).hasSize(1);
    assertThat(dir.resolve("alice/identity.json")).doesNotExist();
  }

  @Test
  void aWeakPassphraseIsUsedWithTheFlagAndStillNamed() {
    cli.env.put("RESCHAT_PASSPHRASE", WEAK);
    Result r = CliHarness.check(cli.as("alice", "init", "--argon2-memory", "19456", "--allow-weak-passphrase"));
    assertThat(r.err()).contains("warning: This passphrase is weak", "Using it because of --allow-weak-passphrase");
    assertThat(cli.as("alice", "whoami").out()).contains("passphrase:  yes");
  }

  @Test
  void aStrongPassphraseNeedsNothing() {
    cli.env.put("RESCHAT_PASSPHRASE", STRONG);
    Result r = CliHarness.check(cli.as("alice", "init", "--argon2-memory", "19456"));
    assertThat(r.err()).doesNotContain("weak");
  }

  @Test
  void aWeakPassphraseTypedOnATerminalIsUsedOnlyIfConfirmedAndANoAsksForAnother() {
    List<String> asked = new ArrayList<>();
    java.util.Iterator<String> typed = List.of(WEAK, WEAK, STRONG, STRONG).iterator();
    cli.interactive = true;
    cli.env.put("NO_COLOR", "1");
    cli.prompt = p -> typed.next().toCharArray();
    cli.questions = q -> {
      asked.add(q);
      return "n";
    };
    Result r = cli.as("alice", "init", "--argon2-memory", "19456");
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(asked).containsExactly("Use it anyway? [y/N] ");
    assertThat(r.err().split("This passphrase is weak", -1)).as("the warning once: " + r.err()).hasSize(2);
    assertThat(r.err()).contains("Choose another one", "Created your identity");
    assertThat(typed.hasNext()).isFalse();

    cli.prompt = p -> WEAK.toCharArray();
    cli.questions = q -> "y";
    CliHarness.check(cli.as("bob", "init", "--argon2-memory", "19456"));
    assertThat(dir.resolve("bob/identity.json")).exists();

    cli.questions = q -> null; // the terminal went away: nothing is created, and the warning is not repeated
    Result gone = cli.as("carol", "init", "--argon2-memory", "19456");
    assertThat(gone.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(gone.err().split("This passphrase is weak", -1)).hasSize(2);
    assertThat(dir.resolve("carol/identity.json")).doesNotExist();
  }

  @Test
  void estimatingLeavesThePassphraseIntact() {
    char[] chosen = WEAK.toCharArray();
    PassphraseStrength.of(chosen);
    assertThat(new String(chosen)).isEqualTo(WEAK);
  }

  @Test
  void guessingCostsReadAsDurations() {
    assertThat(PassphraseStrength.duration(0.2)).isEqualTo("1 second");
    assertThat(PassphraseStrength.duration(4300 * 0.2)).isEqualTo("14 minutes");
    assertThat(PassphraseStrength.duration(1e10 * 0.2)).isEqualTo("63 years");
    assertThat(PassphraseStrength.of(WEAK.toCharArray()).weak()).isTrue();
    assertThat(PassphraseStrength.of(STRONG.toCharArray()).weak()).isFalse();
  }
}
