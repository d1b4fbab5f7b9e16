package org.reschat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.reschat.cli.CliHarness.Result;
import org.reschat.core.channel.ChannelId;
import org.reschat.core.channel.ChannelPost;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import org.reschat.kv.embedded.EmbeddedStore;

/** Public channels at the terminal: post and read, follow in receive, a forged post, a rolled-back channel. */
class ChannelCliTest {
  @TempDir
  Path dir;

  @Test
  void postsAreReadFollowedAndSaidToBePublic() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.init("alice");
    cli.init("bob");
    Result created = CliHarness.check(cli.as("alice", "channel", "create", "News"));
    String id = created.out().strip();
    assertThat(id).startsWith("rcc:");
    assertThat(created.err()).contains("Channels are public");
    assertThat(CliHarness.check(cli.as("alice", "channel", "post", "news", "first", "post")).err()).contains("Posted publicly");

    Result read = CliHarness.check(cli.as("bob", "channel", "read", id));
    assertThat(read.out()).contains("#news (public): first post");
    assertThat(read.err()).doesNotContain("Channels are public"); // said once, to the owner, at create

    CliHarness.check(cli.as("bob", "channel", "follow", id));
    CliHarness.check(cli.as("alice", "channel", "post", "news", "second"));
    Result received = CliHarness.check(cli.as("bob", "receive"));
    assertThat(received.out()).contains("second").doesNotContain("first post");
    assertThat(CliHarness.check(cli.as("bob", "receive")).out()).isEmpty(); // never the same post twice

    // A post signed by someone else at the channel's next key is not shown.
    Identity mallory = IdentityFile.open(Files.readString(dir.resolve("bob/identity.json")), new char[0]);
    String forged = new ChannelPost(3, new byte[32], Instant.now(), "news", "send money here")
        .sign(ChannelId.parse(id).orElseThrow(), mallory);
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"))) {
      ledger.put(ChannelId.parse(id).orElseThrow().postKey(3), forged);
    }
    Result afterForgery = CliHarness.check(cli.as("bob", "channel", "read", id));
    assertThat(afterForgery.out()).doesNotContain("send money");
    assertThat(afterForgery.err()).contains("1 value(s) in the channel were not posts signed by its owner");
  }

  @Test
  void aRolledBackChannelIsExitFour() throws Exception {
    CliHarness cli = new CliHarness(dir);
    cli.init("alice");
    cli.init("bob");
    String id = CliHarness.check(cli.as("alice", "channel", "create", "news")).out().strip();
    CliHarness.check(cli.as("alice", "channel", "post", "news", "one"));
    CliHarness.check(cli.as("alice", "channel", "post", "news", "two"));
    CliHarness.check(cli.as("bob", "channel", "follow", id));
    CliHarness.check(cli.as("bob", "channel", "read", id));
    try (EmbeddedStore ledger = EmbeddedStore.open(dir.resolve("ledger.db"))) {
      ledger.put(ChannelId.parse(id).orElseThrow().postKey(2), "{}"); // post 2 no longer there
    }
    Result read = cli.as("bob", "channel", "read", id);
    assertThat(read.code()).as(read.toString()).isEqualTo(ExitCodes.SECURITY);
    assertThat(read.err()).contains("rolled back");
    assertThat(cli.as("bob", "receive").code()).isEqualTo(ExitCodes.SECURITY);
    Result bad = cli.as("bob", "channel", "read", "rcc:nope");
    assertThat(bad.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err().lines()).hasSize(1);
  }

  @Test
  void channelsAreReadByNameAndListedAndThePublicNoticeIsGivenOnce() {
    CliHarness cli = new CliHarness(dir);
    cli.init("alice");
    cli.init("bob");
    Result created = CliHarness.check(cli.as("alice", "channel", "create", "news"));
    String id = created.out().strip();
    assertThat(created.err()).contains("Channels are public");
    Result posted = CliHarness.check(cli.as("alice", "channel", "post", "news", "hello"));
    assertThat(posted.err()).contains("Posted publicly to 'news' (post 1).").doesNotContain("Channels are public");
    assertThat(CliHarness.check(cli.as("alice", "channel", "read", "news")).out()).contains("#news (public): hello");

    Result followed = CliHarness.check(cli.as("bob", "channel", "follow", id));
    assertThat(followed.err()).contains("Following #news (" + id + ")").doesNotContain("Channels are public");
    assertThat(CliHarness.check(cli.as("bob", "channel", "read", "news")).out()).contains("#news (public): hello");
    assertThat(CliHarness.check(cli.as("bob", "channel", "read", "#news")).out()).contains("hello");
    assertThat(CliHarness.check(cli.as("bob", "channel", "list")).out()).contains("#news", "following", id);
    assertThat(CliHarness.check(cli.as("alice", "channel", "list")).out()).contains("#news", "yours", id);
    com.google.gson.JsonObject listed = com.google.gson.JsonParser.parseString(
        CliHarness.check(cli.as("bob", "--json", "channel", "list")).out()).getAsJsonObject();
    assertThat(listed.get("type").getAsString()).isEqualTo("channel");
    assertThat(listed.get("following").getAsBoolean()).isTrue();
    assertThat(listed.get("own").getAsBoolean()).isFalse();

    Result unknown = cli.as("bob", "channel", "read", "sports");
    assertThat(unknown.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(unknown.err()).contains("You know no channel called 'sports'");
  }
}
