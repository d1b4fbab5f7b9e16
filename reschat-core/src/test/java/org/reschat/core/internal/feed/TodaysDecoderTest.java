package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * What a client of the version before replies, reactions, edits and deletes shows of them: its decoder is
 * {@link Timeline}'s opening of slots, which this feature leaves as it was (the typing and folding happen on
 * top of what it returns). Run on the sealed page of docs/protocol.md §4.6: the new types are messages of a
 * type it cannot show, never their body and never a text; a reply or a mention is its text alone.
 */
class TodaysDecoderTest {

  private static Identity keys(int first) {
    byte[] k = new byte[64];
    for (int i = 0; i < 64; i++) {
      k[i] = (byte) (first + i);
    }
    return Identity.importPrivateKeys(k);
  }

  @Test
  void relationSlotsShowAsUnsupportedNeverAsText() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "protocol.md"), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("(?m)^alice\\.relations\\.page1\\.value: (\\S+)$").matcher(doc);
    assertThat(m.find()).as("docs/protocol.md publishes alice.relations.page1.value").isTrue();
    Identity alice = keys(0x00);
    Identity bob = keys(0x40);
    Conversation ba = Conversation.pair(bob, alice.card());
    FeedId alices = ba.feed(ba.indexOf(alice.card()));
    Page page = PageVerifier.openAndVerify(ba, alices, 1, ba.pageKey(alices, 1), m.group(1));
    FeedReader reader = new FeedReader(ba, alices, new MemoryKvStore(), new InMemoryLocalState(), new Warnings(),
        new AtomicInteger(), new OpenedPages());
    List<Object> opened = Timeline.open(ba, reader, Map.entry(1L, page), LocalState.Position.START, page.slots().size());
    List<Message> shown = opened.stream().map(o -> (Message) o).toList();

    assertThat(shown).extracting(Message::type)
        .containsExactly("TEXT", "TEXT", "TEXT", "TEXT", "REACTION", "REACTION", "EDIT", "DELETE");
    assertThat(shown.get(2).text()).isEqualTo("P.S. see you Friday"); // field 3 of a TEXT is ignored
    assertThat(shown.get(3).text()).isEqualTo("@bob bring the map");
    for (Message r : shown.subList(4, 8)) {
      assertThat(r.text()).isEqualTo("[a " + r.type() + " message, which this version cannot show]")
          .doesNotContain("👋").doesNotContain("Hello again");
    }
  }
}
