package org.reschat.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.crypto.Hpke;
import org.reschat.core.crypto.Sha;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.SafetyNumber;
import org.reschat.core.page.Page;
import org.reschat.core.page.PageCodec;
import org.reschat.core.page.PageOpener;
import org.reschat.core.page.PageVerifier;
import org.reschat.core.page.PageWriter;

/**
 * The test vectors published in docs/protocol.md, recomputed from their fixed seeds. If this fails, the
 * protocol changed or the document is stale: the message prints the values to paste.
 */
class ProtocolVectorsTest {
  static Identity fromByteRange(int first) {
    byte[] keys = new byte[64];
    for (int i = 0; i < 64; i++) {
      keys[i] = (byte) (first + i);
    }
    return Identity.importPrivateKeys(keys);
  }

  static Map<String, String> vectors() throws Exception {
    Identity alice = fromByteRange(0x00);
    Identity bob = fromByteRange(0x40);
    Conversation ab = Conversation.between(alice, bob.card());
    Hpke hpke = Hpke.withDeterministicEphemeralsForTestVectorsOnly(Sha.sha256("reschat/v1 test vector".getBytes(StandardCharsets.UTF_8)));
    PageWriter writer = new PageWriter(alice, ab, hpke);
    Page page = writer.append(null, new PageWriter.Draft("TEXT", 1_700_000_000_000L, "", "Hello, Bob!".getBytes(StandardCharsets.UTF_8)));
    page = writer.append(page, new PageWriter.Draft("TEXT", 1_700_000_001_000L, "", "Grüße ✓".getBytes(StandardCharsets.UTF_8)));

    // The vector page is real: Bob verifies and opens it.
    Conversation ba = Conversation.between(bob, alice.card());
    PageVerifier.verify(PageCodec.parse(PageCodec.toJson(page)), ba, ba.theirFeed(), 1);
    assertThat(new String(PageOpener.open(bob, ba, page, 1), StandardCharsets.UTF_8)).isEqualTo("Grüße ✓");

    Map<String, String> v = new LinkedHashMap<>();
    v.put("alice.card", alice.card().toString());
    v.put("alice.fingerprint", alice.card().fingerprintText());
    v.put("bob.card", bob.card().toString());
    v.put("bob.fingerprint", bob.card().fingerprintText());
    v.put("safety_number", SafetyNumber.between(alice.card(), bob.card()));
    v.put("conversation_id", ab.id());
    v.put("alice.writer_tag", ab.myTag());
    v.put("bob.writer_tag", ab.theirTag());
    v.put("alice.page1.key", ab.myFeed().key(1));
    v.put("alice.page1.json", PageCodec.toJson(page));
    v.put("alice.page1.signed_bytes.sha256", java.util.HexFormat.of().formatHex(Sha.sha256(page.signedBytes())));
    v.put("alice.page1.hash", page.hashText());
    org.reschat.core.page.Slot s0 = page.slots().get(0);
    v.put("alice.page1.slot0.receiver_copy_aad", java.util.HexFormat.of().formatHex(Page.slotAad(ab.id(), ab.myTag(), 1, 0,
        s0.receiver(), s0.type(), s0.timestamp(), s0.extension(), Page.Copy.FOR_RECEIVER)));
    return v;
  }

  @Test
  void documentHoldsTheVectorsTheCodeComputes() throws Exception {
    StringBuilder expected = new StringBuilder();
    vectors().forEach((k, val) -> expected.append(k).append(": ").append(val).append('\n'));
    String doc = Files.readString(Path.of("..", "docs", "protocol.md"), StandardCharsets.UTF_8);
    int start = doc.indexOf("```vectors\n");
    int end = doc.indexOf("```", start + 11);
    String published = start < 0 || end < 0 ? "(no ```vectors block)" : doc.substring(start + 11, end);
    assertThat(published).as("docs/protocol.md ```vectors block; expected:%n%s", expected).isEqualTo(expected.toString());
  }
}
