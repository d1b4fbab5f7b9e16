package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.reschat.core.testing.VectorKeys.alice;
import static org.reschat.core.testing.VectorKeys.bob;
import static org.reschat.core.testing.VectorKeys.range;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.ReadsRecord;
import org.reschat.core.internal.conversation.TailRule;
import org.reschat.core.testing.PublishedVectors;

/**
 * The vectors of docs/protocol.md §4.7, computed from §14's keys and compared with the published block (the message
 * prints the block to paste): Alice's sender tag key in epoch 0 of her chat with Bob, a page 1 of version 4 with one
 * slot of fixed bytes (its copies open nothing: the vector is about the authenticator), its tag, and the notice.
 * The page parses as tagged; Alice's identity checks the tag, Bob takes it on the envelope, and Bob's own tag is
 * not Alice's.
 */
class TailVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final TailRule OPEN = new TailRule(true, true);

  private static byte[] body(Conversation ab) {
    Slot slot = new Slot(ab.epochTag(), "TEXT", 1_732_300_000_000L, new byte[0], range(0xd0, 32), range(0x00, 96));
    return PageCodec.encodeTailBody(1, Page.NO_PREVIOUS, List.of(), List.of(slot), true);
  }

  static Map<String, String> computed() {
    Conversation ab = Conversation.pair(alice(), bob().card());
    byte[] body = body(ab);
    Map<String, String> out = new LinkedHashMap<>();
    out.put("tail.alice.tag_key", HEX.formatHex(ab.senderTagKey()));
    out.put("tail.alice.page1.body", HEX.formatHex(body));
    out.put("tail.alice.page1.tag", HEX.formatHex(SenderTag.of(ab, ab.myFeed(), body)));
    byte[][] notice = ReadsRecord.notice();
    out.put("tail.reads.field3", new String(notice[0], StandardCharsets.UTF_8));
    out.put("tail.reads.body", new String(notice[1], StandardCharsets.UTF_8));
    return out;
  }

  @Test
  void theDocumentPublishesExactlyTheseVectorsAndThePageCountsForAliceAndBobOnly() throws Exception {
    Map<String, String> expected = computed();
    StringBuilder block = new StringBuilder();
    expected.forEach((k, v) -> block.append(k).append(": ").append(v).append('\n'));
    assertThat(PublishedVectors.in("tail-vectors")).as("docs/protocol.md ```tail-vectors block; expected:%n%s", block)
        .isEqualTo(expected);

    byte[] page = HEX.parseHex(expected.get("tail.alice.page1.body") + expected.get("tail.alice.page1.tag"));
    Page parsed = PageCodec.parse(page);
    assertThat(parsed.version()).isEqualTo(4);
    assertThat(parsed.isTagged()).isTrue();
    Conversation ab = Conversation.pair(alice(), bob().card()).withTails(OPEN);
    Conversation ba = Conversation.pair(bob(), alice().card()).withTails(OPEN);
    PageVerifier.verify(ab, ab.myFeed(), 1, parsed); // Alice's identity: the tag is hers
    PageVerifier.verify(ba, ba.feed(ba.indexOf(alice().card())), 1, parsed); // Bob: the envelope is the proof
    // Bob's best tag of the same body is under his own self seed: Alice's devices refuse it.
    byte[] bobs = SenderTag.of(ba, ba.feed(ba.indexOf(alice().card())), HEX.parseHex(expected.get("tail.alice.page1.body")));
    Page forged = PageCodec.parse(PageCodec.withSignature(HEX.parseHex(expected.get("tail.alice.page1.body")), bobs));
    assertThatThrownBy(() -> PageVerifier.verify(ab, ab.myFeed(), 1, forged)).isInstanceOf(PageRejectedException.class);
  }
}
