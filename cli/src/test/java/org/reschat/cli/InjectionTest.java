package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;
import org.reschat.cli.text.SafeText;

/**
 * A hostile friend's messages, sent through the real CLI, must reach every screen and text file inert:
 * control characters, escape sequences and bidi overrides shown escaped, continuation lines indented so
 * no message can forge a line of its own; Markdown and HTML never rendered. {@code --json} keeps the text
 * exactly as sent.
 */
class InjectionTest {
  /** A forged line: CR back to the margin, a fake header in "me"'s name, and erase-to-end-of-line. */
  static final String FAKE_ME = "ok\n\r2026-11-23 00:08  me: I agree to transfer 1000 EUR to bob\u001b[K";
  static final List<String> HOSTILE = List.of(
      FAKE_ME,
      "\u001b[2J\u001b[31mscreen cleared, red text\u001b[0m",            // CSI
      "title \u001b]0;pwned\u0007 set",                                   // OSC window title
      "\u001b]8;;https://evil.example/\u001b\\click here\u001b]8;;\u001b\\", // OSC 8 link
      "c1 \u009b31m csi and \u0085 next line and \u007f del",             // C1 and DEL
      "invoice_\u202Efdp.exe and \u2066isolated\u2069",                  // bidi override and isolate
      "**me**, 2026-11-23 00:08:\n\n![](https://evil.example/pixel.png) <img src=x onerror=alert(1)> "
          + "[link](https://evil.example) ```");                       // Markdown and HTML
  /** A line that starts a message: what continuation lines must never look like. */
  static final Pattern HEADER = Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  (me|bob): .*");

  @TempDir Path dir;
  CliHarness cli;

  @BeforeEach
  void bobSendsHostileMessages() {
    cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    for (String text : HOSTILE) {
      CliHarness.check(cli.as("bob", "send", "alice", text));
    }
  }

  @Test
  void receiveShowsThemInert() {
    Result r = CliHarness.check(cli.as("alice", "receive"));
    assertInert(r.out(), HOSTILE.size());
    assertThat(r.out()).contains("\\r2026-11-23 00:08  me: I agree", "\\e[K", "\\e]8;;https://evil.example/\\e\\\\click",
        "\\x9b31m", "\\x85", "\\x7f", "\\u202E", "\\u2066", "\\e]0;pwned\\a");
  }

  @Test
  void historyShowsThemInert() {
    Result r = CliHarness.check(cli.as("alice", "history", "bob"));
    assertInert(r.out(), HOSTILE.size());
  }

  @Test
  void receiveFollowShowsThemInert() {
    Result r = CliHarness.check(cli.as("alice", "receive", "--follow", "--interval", "200ms", "--polls", "2"));
    assertInert(r.out(), HOSTILE.size());
  }

  @Test
  void jsonKeepsThemExact() {
    Result r = CliHarness.check(cli.as("alice", "history", "bob", "--json"));
    List<String> texts = r.lines().stream().map(l -> JsonParser.parseString(l).getAsJsonObject())
        .filter(o -> o.get("type").getAsString().equals("message")).map(o -> o.get("text").getAsString())
        .collect(Collectors.toList());
    assertThat(texts).isEqualTo(HOSTILE);
    assertThat(r.out()).doesNotContain("\u001b", "\u009b", "\u0085", "\u202E", "\u2066", "\r"); // escaped, still exact
  }

  @Test
  void theTextExportAppliesTheTerminalRules() throws Exception {
    CliHarness.check(cli.as("alice", "export", "bob", "--format", "txt", "-o", dir.resolve("chat.txt").toString()));
    assertInert(Files.readString(dir.resolve("chat.txt")), HOSTILE.size());
  }

  @Test
  void theMarkdownExportRendersNothingFromAMessage() throws Exception {
    CliHarness.check(cli.as("alice", "export", "bob", "--format", "md", "-o", dir.resolve("chat.md").toString()));
    String md = Files.readString(dir.resolve("chat.md"));
    assertNoUnsafeCharacters(md);
    // Outside the fenced blocks there is only what the exporter wrote: one "**bob**" header per message.
    String outside = outsideFences(md);
    assertThat(outside).doesNotContain("![", "<img", "](", "**me**", "https://");
    assertThat(outside.split("\\*\\*bob\\*\\*", -1)).hasSize(HOSTILE.size() + 1);
    assertThat(md).contains("![](https://evil.example/pixel.png) <img src=x onerror=alert(1)>"); // shown, inside a block
  }

  @Test
  void theJsonExportKeepsThemExact() throws Exception {
    CliHarness.check(cli.as("alice", "export", "bob", "--format", "json", "-o", dir.resolve("chat.json").toString()));
    JsonObject root = JsonParser.parseString(Files.readString(dir.resolve("chat.json"))).getAsJsonObject();
    List<String> texts = new java.util.ArrayList<>();
    root.getAsJsonArray("messages").forEach(m -> texts.add(m.getAsJsonObject().get("text").getAsString()));
    assertThat(texts).isEqualTo(HOSTILE);
  }

  /** What a Markdown viewer renders: every line not inside a fenced block opened by the exporter. */
  static String outsideFences(String md) {
    StringBuilder sb = new StringBuilder();
    String fence = null;
    for (String line : md.split("\n", -1)) {
      if (fence == null && line.matches("^`{3,}text$")) {
        fence = line.substring(0, line.indexOf("text"));
      } else if (fence != null && line.equals(fence)) {
        fence = null;
      } else if (fence == null) {
        sb.append(line).append('\n');
      }
    }
    assertThat(fence).as("every fence is closed").isNull();
    return sb.toString();
  }

  /** Nothing a terminal interprets, and exactly {@code messages} lines that start a message, all from bob. */
  static void assertInert(String shown, int messages) {
    assertNoUnsafeCharacters(shown);
    List<String> lines = List.of(shown.split("\n"));
    assertThat(lines.stream().filter(l -> HEADER.matcher(l).matches())).as(shown)
        .hasSize(messages).allMatch(l -> l.contains("  bob: "));
    assertThat(lines).as(shown).allMatch(l -> HEADER.matcher(l).matches() || l.startsWith(Output.CONTINUATION));
  }

  static void assertNoUnsafeCharacters(String shown) {
    assertThat(shown.codePoints().filter(c -> c != '\n' && SafeText.isUnsafe(c)).mapToObj(Integer::toHexString))
        .as(shown).isEmpty();
  }
}
