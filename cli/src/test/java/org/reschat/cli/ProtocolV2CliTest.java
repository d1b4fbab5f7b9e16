package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.kv.embedded.EmbeddedStore;

/** Protocol v2's promises as a person at the terminal sees them: commands, exit codes, files. */
class ProtocolV2CliTest {
  @TempDir
  Path dir;

  @Test
  void aFriendsRewrittenHistoryIsExitFourAndTheOriginalStays() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    for (String text : List.of("I agree to pay 10 EUR", "see you", "bye")) {
      CliHarness.check(cli.as("alice", "send", "bob", text));
    }
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).contains("I agree to pay 10 EUR", "bye");

    // Alice's client turns hostile: she re-signs her page with the first message changed, and one more.
    Identity alice = IdentityFile.open(Files.readString(dir.resolve("alice/identity.json")), new char[0]);
    PublicCard bob = PublicCard.parse(cli.cardOf("bob"));
    Conversation c = Conversation.pair(alice, bob);
    PageWriter writer = new PageWriter(c);
    Page page = null;
    long t = System.currentTimeMillis();
    for (String text : List.of("I agree to pay 1000 EUR", "see you", "bye", "as agreed")) {
      page = writer.append(page, List.of(), new SlotSeal.Draft("TEXT", t++, new byte[0], text.getBytes(StandardCharsets.UTF_8)));
    }
    String key = c.pageKey(c.myFeed(), 1);
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"))) {
      ledger.put(key, Envelope.seal(c, key, page));
    }

    CliHarness.Result received = cli.as("bob", "receive");
    assertThat(received.code()).as(received.toString()).isEqualTo(ExitCodes.SECURITY);
    assertThat(received.err()).contains("equivocation");
    assertThat(received.out()).doesNotContain("as agreed", "1000 EUR");
    CliHarness.Result history = cli.as("bob", "history", "alice");
    assertThat(history.code()).isEqualTo(ExitCodes.SECURITY);
    assertThat(history.out()).contains("I agree to pay 10 EUR").doesNotContain("1000 EUR");
    try (Stream<Path> evidence = Files.walk(dir.resolve("bob/state/evidence"))) {
      assertThat(evidence.filter(Files::isRegularFile).count()).isEqualTo(1);
    }
  }
}
