package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;
import picocli.CommandLine;

/** The help people read: whole sentences, no line left with one word, and "did you mean" for a typo. */
class HelpTextTest {
  @TempDir Path dir;

  private static List<CommandLine> everyCommand(CommandLine root) {
    List<CommandLine> all = new ArrayList<>();
    all.add(root);
    for (CommandLine sub : root.getSubcommands().values()) {
      if (!all.contains(sub)) {
        everyCommand(sub).stream().filter(c -> !all.contains(c)).forEach(all::add);
      }
    }
    return all;
  }

  @Test
  void everySummaryIsAWholeSentenceAndNoHelpLineIsOneWord() {
    CommandLine root = Cli.commandLine(CliContext.builder().build());
    List<String> problems = new ArrayList<>();
    for (CommandLine c : everyCommand(root)) {
      String name = c.getCommandSpec().qualifiedName();
      String[] description = c.getCommandSpec().usageMessage().description();
      if (description.length > 0 && !description[0].strip().matches("(?s).*[.:)]$")) {
        problems.add(name + ": the summary is cut: " + description[0]);
      }
      for (String line : c.getUsageMessage().split("\\R")) {
        String text = line.strip();
        if (line.length() > 80) {
          problems.add(name + ": a line over 80 columns: " + line);
        }
        if (!text.isEmpty() && !text.contains(" ") && !text.endsWith(":") && !text.startsWith("-")) {
          problems.add(name + ": a line of one word: '" + line + "'");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  /**
   * A description's strings break where the source's editor did, often mid-sentence; wrapped one by one they
   * left lines like "verified and" with room for the next word. Every line but a paragraph's last two (the
   * last may take a word from the one before, to keep company) is as full as the next word allows.
   */
  @Test
  void descriptionsAreWrappedAsParagraphsWithNoLineEndingEarly() {
    CommandLine root = Cli.commandLine(CliContext.builder().build());
    List<String> problems = new ArrayList<>();
    for (CommandLine c : everyCommand(root)) {
      String[] lines = c.getCommandSpec().usageMessage().description();
      for (int i = 1; i + 1 < lines.length; i++) {
        boolean lastTwoOfParagraph = i + 2 >= lines.length || lines[i + 2].isBlank();
        if (lines[i].isBlank() || lines[i + 1].isBlank() || lastTwoOfParagraph) {
          continue;
        }
        String nextWord = lines[i + 1].strip().split(" ")[0];
        if (lines[i].length() + 1 + nextWord.length() < Cli.HELP_WIDTH) {
          problems.add(c.getCommandSpec().qualifiedName() + ": '" + lines[i] + "' ends before '" + nextWord + "'");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void aMistypedCommandGetsASuggestionNotAnIndex() {
    CliHarness cli = new CliHarness(dir);
    Result r = cli.run("sned", "bob", "hi");
    assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("'sned' is not a reschat command; did you mean 'send'?").doesNotContain("index");
    Result sub = cli.run("friend", "lst");
    assertThat(sub.err()).contains("'lst' is not a 'reschat friend' command; did you mean 'list'?");
    Result option = cli.run("send", "--jsn", "bob", "hi");
    assertThat(option.err()).contains("Unknown option '--jsn'; did you mean '--json'?").doesNotContain("nickname");
    Result nothingClose = cli.run("frobnicate");
    assertThat(nothingClose.err()).contains("'frobnicate' is not a reschat command; 'reschat --help' lists them.");
  }
}
