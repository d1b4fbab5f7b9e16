package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Head;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.kv.embedded.EmbeddedStore;

/**
 * Issue 19 item 4 on the command line: a made-up head in Bob's page about Alice's own feed is shown to Alice
 * as Bob's claim, by his nickname ("bob claims …"), not as the store withholding her messages.
 */
class HeadClaimsCliTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void aMadeUpHeadIsShownAsTheFriendsClaimByName() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.friends("alice", "bob");
    CliHarness.check(cli.as("alice", "send", "bob", "one"));

    // Bob's client turns hostile: his page 1 claims Alice's feed reached page 5.
    Identity bob = IdentityFile.open(Files.readString(dir.resolve("bob/identity.json")), new char[0]);
    PublicCard alice = PublicCard.parse(cli.cardOf("alice"));
    Conversation c = Conversation.pair(bob, alice);
    Page page = new PageWriter(c).append(null, List.of(new Head(c.indexOf(alice), 5, 20, new byte[8])),
        new SlotSeal.Draft("TEXT", System.currentTimeMillis(), new byte[0], "hi".getBytes(StandardCharsets.UTF_8)));
    String key = c.pageKey(c.myFeed(), 1);
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"))) {
      ledger.put(key, Envelope.seal(c, key, page));
    }

    CliHarness.Result history = cli.as("alice", "history", "bob");
    assertThat(history.code()).as(history.toString()).isEqualTo(ExitCodes.SECURITY);
    assertThat(history.err()).contains("security warning (bob, your page 5, withheld): bob claims (their page 1) that"
        + " this feed reached page 5 (20 messages), but the store serves only page 1 (1 message); nothing else shows it:"
        + " their word against the store's");
    CliHarness.Result json = cli.as("alice", "--json", "history", "bob");
    assertThat(json.out()).contains("\"claimed_by_fingerprint\"");
  }
}
