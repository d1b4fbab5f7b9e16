package org.reschat.cli.commands;

import org.reschat.core.ChatId;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.List;
import org.reschat.cli.BaseCommand;
import org.reschat.cli.CliContext;
import org.reschat.cli.ExitCodes;
import org.reschat.cli.Output;
import org.reschat.cli.Session;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.SafetyNumber;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.kv.KvVersion;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.localdb.Profile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Watch two throwaway people talk over a temporary ledger.",
        "Alice and Bob exchange messages on an embedded ledger; then someone tampers with the ledger and both "
            + "clients notice. Touches nothing but a temporary directory, removed at the end."})
public final class DemoCommand extends BaseCommand {
  private static final List<String[]> SCRIPT = List.of(
      new String[] {"alice", "Hi Bob! This message lives on a ledger, sealed once for you and once for me."},
      new String[] {"bob", "Hi Alice. My client checked your signature before showing me that."},
      new String[] {"alice", "Nobody else can read it, and nobody can change it without us noticing."},
      new String[] {"bob", "And there is no chat server: just the key-value store. 👍"},
      new String[] {"alice", "Let's see what happens if someone tampers with it…"});

  @Option(names = "--keep", description = "Keep the temporary directory and print where it is.")
  boolean keep;

  DemoCommand(CliContext ctx) {
    super(ctx);
  }

  @Override
  protected int run(Session session) throws Exception {
    Output out = session.output();
    Path dir = Files.createTempDirectory("reschat-demo-");
    try {
      demo(out, dir, keep ? dir : null);
    } finally {
      if (keep) {
        out.note("Kept " + dir + " (profiles alice/ and bob/, ledger.db): try 'reschat --home " + dir.resolve("alice")
            + " --store embedded:" + dir.resolve("ledger.db") + " history bob'.");
      } else {
        deleteTree(dir);
      }
    }
    return ExitCodes.OK;
  }

  /** A line of the story: on stdout, or on stderr with --json, where stdout carries only the summary object. */
  private static void say(Output out, String text) {
    if (out.json()) {
      out.note(text);
    } else {
      out.line(text);
    }
  }

  private void demo(Output out, Path dir, Path kept) throws Exception {
    SecureRandom random = new SecureRandom();
    Identity aliceKeys = Identity.generate(random);
    Identity bobKeys = Identity.generate(random);
    Profile aliceHome = Profile.open(dir.resolve("alice"));
    Profile bobHome = Profile.open(dir.resolve("bob"));
    aliceHome.createIdentity(IdentityFile.withoutPassphrase(aliceKeys, "Alice"));
    bobHome.createIdentity(IdentityFile.withoutPassphrase(bobKeys, "Bob"));
    aliceHome.friends().add("bob", bobKeys.card(), aliceKeys.card());
    bobHome.friends().add("alice", aliceKeys.card(), bobKeys.card());

    say(out, out.paint("1", "ResChat demo: two people, one ledger, no chat server."));
    say(out, "");
    say(out, out.paint("1", "1. Alice and Bob each create keys and swap cards (one line each):"));
    say(out, "   Alice  " + shorten(aliceKeys.card().toString(), 40) + "   fingerprint " + shorten(aliceKeys.card().fingerprintText(), 19));
    say(out, "   Bob    " + shorten(bobKeys.card().toString(), 40) + "   fingerprint " + shorten(bobKeys.card().fingerprintText(), 19));
    say(out, "   Safety number, the same on both screens: " + SafetyNumber.between(aliceKeys.card(), bobKeys.card()));
    say(out, "");

    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"));
        ChatClient alice = ChatClient.builder().identity(aliceKeys).store(ledger).localState(aliceHome.state()).build();
        ChatClient bob = ChatClient.builder().identity(bobKeys).store(ledger).localState(bobHome.state()).build()) {
      say(out, out.paint("1", "2. They talk. Each message is sealed for the sender and for the receiver; each page of"));
      say(out, out.paint("1", "   messages is signed, chained to the one before, padded and sealed whole:"));
      for (String[] line : SCRIPT) {
        boolean fromAlice = line[0].equals("alice");
        (fromAlice ? alice : bob).send(ChatId.direct(fromAlice ? bobKeys.card() : aliceKeys.card()), line[1]);
        say(out, "   " + (fromAlice ? "Alice → Bob  " : "Bob → Alice  ") + line[1]);
      }
      say(out, "");

      Conversation c = Conversation.pair(aliceKeys, bobKeys.card());
      String aliceKey = c.pageKey(c.myFeed(), 1);
      String aliceValue = ledger.get(aliceKey).orElseThrow();
      say(out, out.paint("1", "3. What the ledger holds: random-looking keys and sealed values. Nobody without the"));
      say(out, out.paint("1", "   conversation's secret can tell who wrote them, which belong together, when or how much:"));
      say(out, "   " + aliceKey + "  (Alice's page 1, " + slots(c, aliceKey, aliceValue) + " messages, "
          + aliceValue.length() + " bytes)");
      say(out, "   " + shorten(aliceValue, 110));
      say(out, "   " + c.pageKey(c.feeds().get(1), 1) + "  (Bob's page 1)");
      say(out, "");

      say(out, out.paint("1", "4. Bob's view (verified, decrypted, merged by time):"));
      showHistory(out, bob.history(ChatId.direct(aliceKeys.card()), HistoryRequest.newest(2)), "Alice");
      say(out, "");

      say(out, out.paint("1", "5. Mallory, who can write to the ledger, puts back an older version of Alice's page"));
      say(out, out.paint("1", "   to hide her last messages:"));
      List<KvVersion> versions = ledger.history(aliceKey);
      ledger.put(aliceKey, versions.get(0).value());
      say(out, "   the ledger now shows " + slots(c, aliceKey, ledger.get(aliceKey).orElseThrow())
          + " of Alice's " + slots(c, aliceKey, aliceValue) + " messages.");
      History seenByBob = bob.history(ChatId.direct(aliceKeys.card()), HistoryRequest.newest(2));
      say(out, "   Bob's client: " + seenByBob.warnings().stream().map(w -> w.kind().name().toLowerCase(java.util.Locale.ROOT)
          + " — " + org.reschat.cli.text.SafeText.line(w.detail())).findFirst().orElse("(nothing noticed)"));
      say(out, "   It keeps showing the copy it verified: " + seenByBob.messages().size() + " messages, none lost.");
      History seenByAlice = alice.history(ChatId.direct(bobKeys.card()), HistoryRequest.newest(2));
      boolean repaired = seenByAlice.warnings().stream().anyMatch(w -> w.kind() == FeedWarning.Kind.REPUBLISHED);
      say(out, "   Alice's client: " + (repaired ? "found her page damaged and wrote it back" : "did not notice")
          + "; the ledger shows " + slots(c, aliceKey, ledger.get(aliceKey).orElseThrow()) + " messages again.");
      if (out.json()) {
        com.google.gson.JsonObject o = org.reschat.cli.Json.object("demo");
        o.addProperty("messages_shown", seenByBob.messages().size());
        o.addProperty("tampering_detected", seenByBob.warnings().stream().anyMatch(w -> w.kind().isSecurityProblem()));
        o.addProperty("warning", seenByBob.warnings().stream().map(w -> w.kind().name().toLowerCase(java.util.Locale.ROOT))
            .findFirst().orElse(null));
        o.addProperty("republished", repaired);
        o.addProperty("kept", kept == null ? null : kept.toString());
        out.json(o);
      }
      say(out, "");
      say(out, out.paint("1", "Try it yourself (two terminals, or two --home directories):"));
      say(out, "   ./reschat init --name alice                   # prints your card");
      say(out, "   ./reschat friend add bob rc2:…                # your friend's card");
      say(out, "   ./reschat send bob \"hello\"  ;  ./reschat chat bob");
    }
  }

  /** How many messages Alice's page at {@code key} holds, as only a member can tell. */
  private static int slots(Conversation c, String key, String value) throws Exception {
    return PageVerifier.openAndVerify(c, c.myFeed(), 1, key, value).slots().size();
  }

  private static void showHistory(Output out, History h, String friend) {
    for (Message m : h.messages()) {
      say(out, "   " + out.format(m, friend));
    }
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
