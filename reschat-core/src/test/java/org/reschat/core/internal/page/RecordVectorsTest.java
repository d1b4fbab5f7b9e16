package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.Padding;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.PublishedVectors;

/**
 * The record vectors of docs/protocol.md §4.8, checked both ways, as the page vectors are: the keys and hashes are
 * recomputed from Alice's and Bob's keys of §14 (and the record keys independently, from the conversation secret
 * with HKDF); the published record (sealed once with random salts) must open with Bob's keys, verify as Alice's
 * record 0 of page 1, hold its message, and be rebuilt byte for byte from Alice's keys and the salts it carries.
 * On a mismatch the message prints the block to paste.
 */
class RecordVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  private static Map<String, String> vectors(String value) throws Exception {
    Identity alice = ProtocolVectorsTest.fromByteRange(0x00);
    Identity bob = ProtocolVectorsTest.fromByteRange(0x40);
    Conversation ab = Conversation.pair(alice, bob.card());
    Conversation ba = Conversation.pair(bob, alice.card());
    FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
    String key = ab.recordKey(ab.myFeed(), 1, 0);
    if (value == null) { // first publication: a real record with random salts
      RecordWriter writer = new RecordWriter(ab);
      value = writer.seal(writer.append(1, null, List.of(), List.of(), new SlotSeal.Draft("TEXT", 1_700_000_000_000L,
          new byte[0], "Hello, Bob!".getBytes(StandardCharsets.UTF_8))).orElseThrow());
    }
    SlotRecord record = RecordVerifier.openAndVerify(ba, alicesFeed, 1, 0, key, value);
    assertThat(record.isTagged()).isFalse();
    assertThat(rebuild(ab, key, record, value)).as("the record rebuilt from Alice's keys and its salts").isEqualTo(value);

    // The record key, independently: HKDF-SHA256 with an empty salt over the conversation secret of §14.
    byte[] lo = alice.card().bytes();
    byte[] hi = bob.card().bytes();
    byte[] pairSalt = Sha.sha256("reschat/v2 pair".getBytes(StandardCharsets.UTF_8), lo, hi);
    byte[] secret = Hkdf.sha256(Secrets.of(alice).rawSharedSecretWith(bob.card()), pairSalt,
        "reschat/v2 conversation secret".getBytes(StandardCharsets.UTF_8), 32);
    byte[] info = concat("reschat/v5 record key".getBytes(StandardCharsets.UTF_8), ab.fingerprintOf(ab.myFeed()),
        new byte[] {0, 0, 0, 0, 0, 0, 0, 1, 0});
    assertThat(key).isEqualTo("rc2." + Base64Url.encode(Hkdf.sha256(secret, new byte[0], info, 16)));

    Map<String, String> v = new LinkedHashMap<>();
    v.put("alice.page1.record0.key", key);
    v.put("alice.page1.record1.key", ab.recordKey(ab.myFeed(), 1, 1));
    v.put("alice.page2.record0.key", ab.recordKey(ab.myFeed(), 2, 0));
    v.put("alice.page1.record0.value", value);
    v.put("alice.page1.record0.bytes", Base64Url.encode(record.encoded()));
    v.put("alice.page1.record0.signed_digest", HEX.formatHex(Sha.sha256(record.body())));
    v.put("alice.page1.record0.hash", HEX.formatHex(record.hash()));
    v.put("alice.page1.record0.message", new String(SlotSeal.open(ba, alicesFeed, record), StandardCharsets.UTF_8));
    return v;
  }

  /** Record 0 sealed again from Alice's keys and the salts the value carries: slot, signature and envelope. */
  private static String rebuild(Conversation ab, String key, SlotRecord record, String value) throws Exception {
    Slot s = record.slot();
    byte[] body = SlotSeal.open(ab, ab.myFeed(), record);
    byte[] receivers = ab.messages().encryptWithSaltForTestVectorsOnly(Arrays.copyOf(s.forReceivers(), 16),
        Padding.padBody(body), SlotSeal.aad(ab, PageCodec.VERSION, ab.fingerprintOf(ab.myFeed()), 1, 0, s.receiver(),
            s.type(), s.timestampMillis(), s.extension(), SlotSeal.FOR_RECEIVERS));
    byte[] sender = ab.senderCopies().wrapKeyUnderSaltOf(receivers, ab.messages().keyOf(receivers));
    Slot slot = new Slot(s.receiver(), s.type(), s.timestampMillis(), s.extension(), sender, receivers);
    byte[] recordBody = RecordCodec.encodeBody(1, 0, new byte[32], List.of(), slot, false);
    byte[] signature = Secrets.of(ab.identity()).sign(concat("reschat/v5 record\0".getBytes(StandardCharsets.UTF_8),
        ab.idBytes(), ab.fingerprintOf(ab.myFeed()), Sha.sha256(recordBody)));
    byte[] raw = Base64Url.decode(value).orElseThrow();
    byte[] sealed = ab.envelopes().encryptWithSaltForTestVectorsOnly(Arrays.copyOfRange(raw, 1, 17),
        Padding.padToPadme(PageCodec.withSignature(recordBody, signature)),
        ("reschat/v2 envelope\0" + key).getBytes(StandardCharsets.UTF_8));
    return Base64Url.encode(concat(new byte[] {2}, sealed));
  }

  private static byte[] concat(byte[]... parts) {
    byte[] out = new byte[0];
    for (byte[] p : parts) {
      int at = out.length;
      out = Arrays.copyOf(out, at + p.length);
      System.arraycopy(p, 0, out, at, p.length);
    }
    return out;
  }

  @Test
  void documentHoldsTheRecordVectorsTheCodeComputes() throws Exception {
    Map<String, String> published = PublishedVectors.in("record-vectors");
    Map<String, String> expected = vectors(published.get("alice.page1.record0.value"));
    StringBuilder block = new StringBuilder();
    expected.forEach((k, val) -> block.append(k).append(": ").append(val).append('\n'));
    assertThat(published).as("docs/protocol.md ```record-vectors block; expected:%n%s", block).isEqualTo(expected);
  }
}
