package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.relation.RelationCodec;
import org.reschat.core.spi.FeedId;

/**
 * The vectors of docs/protocol.md §4.6: the wire form of a reply, a mention, a reaction, its removal, an edit
 * and a delete, computed from the codec, and one sealed page holding them (published once, with random salts)
 * that must open with Bob's keys, verify, be rebuilt byte for byte from Alice's keys and its salts, and hold
 * exactly those fields. If this fails, the protocol changed or the document is stale; the message prints the
 * block to paste.
 */
class RelationVectorsTest {
  private static final Path DOC = Path.of("..", "docs", "protocol.md");
  private static final String BLOCK = "```relation-vectors\n";

  /** The slots after Alice's two greetings: type, field 3, body. */
  static List<String[]> slots(Identity alice, Identity bob, Conversation ab) throws Exception {
    String tag = ab.myFeed().writer();
    String hello = tag + ":1:0";
    String grusse = tag + ":1:1";
    return List.of(
        new String[] {"TEXT", text(RelationCodec.textExtension(Optional.of(hello), List.of())), "P.S. see you Friday"},
        new String[] {"TEXT", text(RelationCodec.textExtension(Optional.empty(), List.of(bob.card().fingerprint()))),
            "@bob bring the map"},
        new String[] {"REACTION", text(RelationCodec.target(grusse)), "👋"},
        new String[] {"REACTION", text(RelationCodec.target(grusse)), ""},
        new String[] {"EDIT", text(RelationCodec.target(hello)), "Hello again, Bob!"},
        new String[] {"DELETE", text(RelationCodec.target(grusse)), ""});
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  static Map<String, String> vectors(String value) throws Exception {
    Identity alice = ProtocolVectorsTest.fromByteRange(0x00);
    Identity bob = ProtocolVectorsTest.fromByteRange(0x40);
    Conversation ab = Conversation.pair(alice, bob.card());
    Conversation ba = Conversation.pair(bob, alice.card());
    String key = ab.pageKey(ab.myFeed(), 1);
    List<String[]> slots = slots(alice, bob, ab);
    if (value == null) { // first publication: a real page with random salts
      PageWriter writer = new PageWriter(ab);
      Page page = writer.append(null, List.of(), draft("TEXT", 0, "", "Hello, Bob!"));
      page = writer.append(page, List.of(), draft("TEXT", 1, "", "Grüße ✓"));
      for (int i = 0; i < slots.size(); i++) {
        page = writer.append(page, List.of(), draft(slots.get(i)[0], 2 + i, slots.get(i)[1], slots.get(i)[2]));
      }
      value = Envelope.seal(ab, key, page);
    }
    FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
    Page page = PageVerifier.openAndVerify(ba, alicesFeed, 1, key, value);
    assertThat(ProtocolVectorsTest.rebuild(ab, key, page, value)).as("the page rebuilt from Alice's keys and its salts")
        .isEqualTo(value);
    assertThat(page.slots()).hasSize(2 + slots.size());
    Map<String, String> v = new LinkedHashMap<>();
    String[] names = {"reply", "mention", "reaction", "reaction_removed", "edit", "delete"};
    for (int i = 0; i < slots.size(); i++) {
      Slot s = page.slots().get(2 + i);
      String[] want = slots.get(i);
      assertThat(s.type()).isEqualTo(want[0]);
      assertThat(text(s.extension())).isEqualTo(want[1]);
      assertThat(text(SlotSeal.open(ba, alicesFeed, page, 2 + i))).isEqualTo(want[2]);
      assertThat(s.timestampMillis()).isEqualTo(1_700_000_000_000L + (2 + i) * 1000L);
      v.put("relations." + names[i] + ".field1", want[0]);
      v.put("relations." + names[i] + ".field3", want[1]);
      v.put("relations." + names[i] + ".body_hex", want[2].isEmpty() ? "(empty)"
          : HexFormat.of().formatHex(want[2].getBytes(StandardCharsets.UTF_8)));
    }
    // The codec reads back what it wrote.
    assertThat(RelationCodec.parseText(slots.get(0)[1].getBytes(StandardCharsets.UTF_8)).replyTo().map(Object::toString))
        .contains(ab.myFeed().writer() + ":1:0");
    assertThat(RelationCodec.parseText(slots.get(1)[1].getBytes(StandardCharsets.UTF_8)).mentions())
        .singleElement().isEqualTo(bob.card().fingerprint());
    assertThat(RelationCodec.parseTarget(slots.get(5)[1].getBytes(StandardCharsets.UTF_8)).map(Object::toString))
        .contains(ab.myFeed().writer() + ":1:1");
    v.put("alice.relations.page1.value", value);
    return v;
  }

  private static SlotSeal.Draft draft(String type, int second, String extension, String body) {
    return new SlotSeal.Draft(type, 1_700_000_000_000L + second * 1000L, extension.getBytes(StandardCharsets.UTF_8),
        body.getBytes(StandardCharsets.UTF_8));
  }

  /** The published block, or "" when the document has none yet. */
  static String published() throws Exception {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int start = doc.indexOf(BLOCK);
    int end = doc.indexOf("```", start + BLOCK.length());
    return start < 0 || end < 0 ? "" : doc.substring(start + BLOCK.length(), end);
  }

  /** The sealed page as published. */
  static String publishedValue() throws Exception {
    Matcher m = Pattern.compile("(?m)^alice\\.relations\\.page1\\.value: (\\S+)$").matcher(published());
    return m.find() ? m.group(1) : null;
  }

  @Test
  void theDocumentPublishesExactlyTheseVectors() throws Exception {
    StringBuilder expected = new StringBuilder();
    vectors(publishedValue()).forEach((k, val) -> expected.append(k).append(": ").append(val).append('\n'));
    assertThat(published()).as("docs/protocol.md ```relation-vectors block; expected:%n%s", expected)
        .isEqualTo(expected.toString());
  }
}
