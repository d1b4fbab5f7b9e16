package org.reschat.core.internal.page;

import org.reschat.core.internal.identity.Secrets;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.Padding;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.SafetyNumber;

/**
 * The test vectors of docs/protocol.md, checked both ways. Everything derived from the fixed keys is
 * recomputed. The published ledger value (a real page, whose salts were drawn at random once) must open
 * with Bob's keys, verify as Alice's page 1, and be rebuilt byte for byte from Alice's keys and the salts
 * it carries: envelope, signature and both copies of each message. If this fails the protocol changed or
 * the document is stale; the message prints the block to paste.
 */
class ProtocolVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final Path DOC = Path.of("..", "docs", "protocol.md");

  static Identity fromByteRange(int first) {
    byte[] keys = new byte[64];
    for (int i = 0; i < 64; i++) {
      keys[i] = (byte) (first + i);
    }
    return Identity.importPrivateKeys(keys);
  }

  private static String published() throws Exception {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int start = doc.indexOf("```vectors\n");
    int end = doc.indexOf("```", start + 11);
    return start < 0 || end < 0 ? "" : doc.substring(start + 11, end);
  }

  static Map<String, String> vectors(String value, String committedValue) throws Exception {
    Identity alice = fromByteRange(0x00);
    Identity bob = fromByteRange(0x40);
    Conversation ab = Conversation.pair(alice, bob.card());
    Conversation ba = Conversation.pair(bob, alice.card());
    String key = ab.pageKey(ab.myFeed(), 1);
    if (value == null) {
      throw new AssertionError("alice.page1.value (a page of version 2, published once) is missing from the document");
    }
    if (committedValue == null) { // first publication: a real page with random salts
      PageWriter writer = new PageWriter(ab);
      Page page = writer.append(null, List.of(), new SlotSeal.Draft("TEXT", 1_700_000_000_000L, new byte[0],
          "Hello, Bob!".getBytes(StandardCharsets.UTF_8)));
      page = writer.append(page, List.of(), new SlotSeal.Draft("TEXT", 1_700_000_001_000L, new byte[0],
          "Grüße ✓".getBytes(StandardCharsets.UTF_8)));
      committedValue = Envelope.seal(ab, key, page);
    }
    FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
    // The page of version 2 that ResChat wrote before key commitment still opens and verifies, for both.
    Page page = PageVerifier.openAndVerify(ba, alicesFeed, 1, key, value);
    assertThat(page.encoded()[0]).isEqualTo((byte) PageCodec.LEGACY_VERSION);
    assertThat(rebuild(ab, key, page, value)).as("the value rebuilt from Alice's keys and its salts").isEqualTo(value);
    Page committed = PageVerifier.openAndVerify(ba, alicesFeed, 1, key, committedValue);
    assertThat(committed.encoded()[0]).isEqualTo((byte) PageCodec.VERSION);
    assertThat(rebuild(ab, key, committed, committedValue)).as("the page of version 3 rebuilt from Alice's keys and its salts")
        .isEqualTo(committedValue);

    byte[] lo = alice.card().bytes();
    byte[] hi = bob.card().bytes();
    if (Arrays.compareUnsigned(lo, hi) > 0) {
      byte[] t = lo;
      lo = hi;
      hi = t;
    }
    byte[] salt = Sha.sha256("reschat/v2 pair".getBytes(StandardCharsets.UTF_8), lo, hi);
    byte[] secret = Hkdf.sha256(Secrets.of(alice).rawSharedSecretWith(bob.card()), salt,
        "reschat/v2 conversation secret".getBytes(StandardCharsets.UTF_8), 32);
    Map<String, String> v = new LinkedHashMap<>();
    v.put("alice.card", alice.card().toString());
    v.put("alice.fingerprint", alice.card().fingerprintText());
    v.put("bob.card", bob.card().toString());
    v.put("bob.fingerprint", bob.card().fingerprintText());
    v.put("safety_number", SafetyNumber.between(alice.card(), bob.card()));
    // §2: Alice's keys are 64 bytes (an identity from before the self seed), so her self seed is derived once.
    byte[] selfSeed = Arrays.copyOfRange(Secrets.of(alice).export(), 64, 96);
    assertThat(selfSeed).isEqualTo(Hkdf.sha256(Arrays.copyOfRange(Secrets.of(alice).export(), 32, 64),
        "reschat/v2 self".getBytes(StandardCharsets.UTF_8), "reschat/v3 self seed".getBytes(StandardCharsets.UTF_8), 32));
    v.put("alice.self_seed", HEX.formatHex(selfSeed));
    byte[] stateLabel = "reschat/v2 group state".getBytes(StandardCharsets.UTF_8);
    assertThat(Secrets.of(alice).selfSecret(stateLabel)).isEqualTo(Hkdf.sha256(selfSeed,
        "reschat/v3 self".getBytes(StandardCharsets.UTF_8), stateLabel, 32));
    v.put("alice.group_state.secret", HEX.formatHex(Secrets.of(alice).selfSecret(stateLabel)));
    v.put("pair.salt", HEX.formatHex(salt));
    v.put("conversation.secret", HEX.formatHex(secret));
    v.put("conversation.id", ab.id());
    v.put("epoch_tag", HEX.formatHex(ab.epochTag()));
    v.put("alice.writer_tag", ab.myFeed().writer());
    v.put("bob.writer_tag", ab.feed(ab.indexOf(bob.card())).writer());
    v.put("alice.page1.key", key);
    v.put("alice.page2.key", ab.pageKey(ab.myFeed(), 2));
    v.put("alice.page1.value", value);
    v.put("alice.page1.bytes", Base64Url.encode(page.encoded()));
    v.put("alice.page1.hash", Base64Url.encode(page.hash()));
    Slot s = page.slots().get(0);
    v.put("alice.page1.slot0.receivers_aad", HEX.formatHex(SlotSeal.aad(ab, PageCodec.LEGACY_VERSION,
        ab.fingerprintOf(ab.myFeed()), 1, 0, s.receiver(), s.type(), s.timestampMillis(), s.extension(), 2)));
    v.put("alice.page1.messages", new String(SlotSeal.open(ba, alicesFeed, page, 0), StandardCharsets.UTF_8) + " | "
        + new String(SlotSeal.open(ba, alicesFeed, page, 1), StandardCharsets.UTF_8));
    assertThat(SlotSeal.open(ab, ab.myFeed(), page, 1)).isEqualTo(SlotSeal.open(ba, alicesFeed, page, 1));
    // §4.3, pages of version 3: the same two messages, committed, the sender's copy under the self seed.
    byte[] senderSecret = Secrets.of(alice).selfSecret(concat("reschat/v3 sender copy".getBytes(StandardCharsets.UTF_8), ab.idBytes()));
    v.put("alice.sender_secret", HEX.formatHex(senderSecret));
    v.put("alice.v3.page1.value", committedValue);
    v.put("alice.v3.page1.hash", Base64Url.encode(committed.hash()));
    Slot c = committed.slots().get(0);
    byte[] oneTimeKey = ab.messages().keyOf(c.forReceivers());
    assertThat(oneTimeKey).isEqualTo(Hkdf.sha256(secret, Arrays.copyOf(c.forReceivers(), 16),
        "reschat/v3 message".getBytes(StandardCharsets.UTF_8), 32));
    byte[] commitment = Hkdf.sha256(oneTimeKey, new byte[0], "reschat/v3 key commitment".getBytes(StandardCharsets.UTF_8), 32);
    assertThat(Arrays.copyOfRange(c.forReceivers(), 16, 48)).isEqualTo(commitment);
    v.put("alice.v3.page1.slot0.key", HEX.formatHex(oneTimeKey));
    v.put("alice.v3.page1.slot0.commitment", HEX.formatHex(commitment));
    v.put("alice.v3.page1.slot0.encryption_key", HEX.formatHex(Hkdf.sha256(oneTimeKey, new byte[0],
        "reschat/v3 committed key".getBytes(StandardCharsets.UTF_8), 32)));
    v.put("alice.v3.page1.slot0.sender_copy_key", HEX.formatHex(Hkdf.sha256(senderSecret,
        Arrays.copyOf(c.forReceivers(), 16), "reschat/v3 sender copy".getBytes(StandardCharsets.UTF_8), 32)));
    javax.crypto.Cipher chacha = javax.crypto.Cipher.getInstance("ChaCha20"); // the JDK's, independently of the code
    chacha.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(Hkdf.sha256(senderSecret,
        Arrays.copyOf(c.forReceivers(), 16), "reschat/v3 sender copy".getBytes(StandardCharsets.UTF_8), 32), "ChaCha20"),
        new javax.crypto.spec.ChaCha20ParameterSpec(new byte[12], 0));
    assertThat(c.forSender()).isEqualTo(chacha.doFinal(oneTimeKey));
    v.put("alice.v3.page1.slot0.sender_copy", HEX.formatHex(c.forSender()));
    v.put("alice.v3.page1.slot0.receivers_aad", HEX.formatHex(SlotSeal.aad(ab, PageCodec.VERSION,
        ab.fingerprintOf(ab.myFeed()), 1, 0, c.receiver(), c.type(), c.timestampMillis(), c.extension(), 2)));
    v.put("alice.v3.page1.messages", new String(SlotSeal.open(ab, ab.myFeed(), committed, 0), StandardCharsets.UTF_8)
        + " | " + new String(SlotSeal.open(ba, alicesFeed, committed, 1), StandardCharsets.UTF_8));
    // Message requests (§13): Bob's inbox board for November 2026, and Alice's request in its slot 1, sealed
    // with an ephemeral key from a fixed seed so the value is reproducible.
    String inboxKey = org.reschat.core.internal.requests.Inbox.board(bob.card(), java.time.YearMonth.of(2026, 11)).key(1);
    byte[] request = org.reschat.core.internal.crypto.Hpke.withDeterministicEphemeralsForTestVectorsOnly(new byte[32]).seal(
        bob.card().encryptionKey(), "reschat/v2 message request".getBytes(StandardCharsets.UTF_8),
        inboxKey.getBytes(StandardCharsets.UTF_8), alice.card().bytes());
    String requestValue = org.reschat.core.internal.board.Board.encode(request);
    assertThat(org.reschat.core.internal.board.Board.decode(requestValue)
        .flatMap(p -> org.reschat.core.internal.requests.Inbox.open(bob, inboxKey, p))).contains(alice.card());
    byte[] inboxSecret = Hkdf.sha256(bob.card().bytes(), "reschat/v2 inbox".getBytes(StandardCharsets.UTF_8),
        "2026-11".getBytes(StandardCharsets.UTF_8), 32);
    assertThat(new org.reschat.core.internal.board.Board(inboxSecret, "reschat/v2 inbox board").key(1)).isEqualTo(inboxKey);
    v.put("bob.inbox.2026-11.secret", HEX.formatHex(inboxSecret));
    v.put("bob.inbox.2026-11.slot1.key", inboxKey);
    v.put("bob.inbox.slot1.request_from_alice", requestValue);
    // Since requests are padded (§13): the same request as a current client writes it, in slot 2.
    String key2 = org.reschat.core.internal.requests.Inbox.board(bob.card(), java.time.YearMonth.of(2026, 11)).key(2);
    String padded = org.reschat.core.internal.board.Board.encode(org.reschat.core.internal.crypto.Hpke
        .withDeterministicEphemeralsForTestVectorsOnly(new byte[32]).seal(bob.card().encryptionKey(),
            "reschat/v2 message request".getBytes(StandardCharsets.UTF_8), key2.getBytes(StandardCharsets.UTF_8),
            org.reschat.core.internal.requests.Inbox.plaintext(alice.card())));
    assertThat(org.reschat.core.internal.board.Board.decode(padded)
        .flatMap(p -> org.reschat.core.internal.requests.Inbox.open(bob, key2, p))).contains(alice.card());
    assertThat(padded).hasSize(407); // as long as a first page holding one short message
    v.put("bob.inbox.2026-11.slot2.key", key2);
    v.put("bob.inbox.slot2.padded_request_from_alice", padded);
    return v;
  }

  /**
   * Alice's page 1 sealed again from her keys and the salts the published value carries: with the sealers
   * of version 2 (not committing, the sender's copy with its own salt under the legacy self secret) or 3.
   */
  static String rebuild(Conversation ab, String key, Page page, String value) {
    java.util.List<Slot> slots = new java.util.ArrayList<>();
    byte[] writer = ab.fingerprintOf(ab.myFeed());
    for (int i = 0; i < page.slots().size(); i++) {
      Slot s = page.slots().get(i);
      byte[] body = openOwn(ab, page, i);
      int version = s.committing() ? PageCodec.VERSION : PageCodec.LEGACY_VERSION;
      OneTimeKeyAead messages = s.committing() ? ab.messages() : ab.legacyMessages();
      byte[] receivers = messages.encryptWithSaltForTestVectorsOnly(Arrays.copyOf(s.forReceivers(), 16),
          Padding.padBody(body), SlotSeal.aad(ab, version, writer, 1, i, s.receiver(), s.type(), s.timestampMillis(),
              s.extension(), 2));
      byte[] senderAad = SlotSeal.aad(ab, version, writer, 1, i, s.receiver(), s.type(), s.timestampMillis(), s.extension(), 1);
      byte[] sender = s.committing() ? ab.senderCopies().wrapKeyUnderSaltOf(receivers, messages.keyOf(receivers))
          : ab.legacySenderCopies().encryptWithSaltForTestVectorsOnly(Arrays.copyOf(s.forSender(), 16),
              messages.keyOf(receivers), senderAad);
      slots.add(new Slot(s.receiver(), s.type(), s.timestampMillis(), s.extension(), sender, receivers));
    }
    byte[] bodyBytes = PageCodec.encodeBody(1, page.previous(), page.heads(), slots);
    byte[] signature = Secrets.of(ab.identity()).sign(PageVerifier.signed(ab, ab.myFeed(), bodyBytes));
    byte[] encoded = PageCodec.withSignature(bodyBytes, signature);
    byte[] raw = Base64Url.decode(value).orElseThrow();
    byte[] sealed = ab.envelopes().encryptWithSaltForTestVectorsOnly(Arrays.copyOfRange(raw, 1, 17),
        Padding.padToPadme(encoded), ("reschat/v2 envelope\0" + key).getBytes(StandardCharsets.UTF_8));
    byte[] out = new byte[1 + sealed.length];
    out[0] = 2;
    System.arraycopy(sealed, 0, out, 1, sealed.length);
    return Base64Url.encode(out);
  }

  private static byte[] openOwn(Conversation ab, Page page, int i) {
    try {
      return SlotSeal.open(ab, ab.myFeed(), page, i);
    } catch (OneTimeKeyAead.OpenFailedException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void documentHoldsTheVectorsTheCodeComputes() throws Exception {
    String published = published();
    Matcher m = Pattern.compile("(?m)^alice\\.page1\\.value: (\\S+)$").matcher(published);
    Matcher m3 = Pattern.compile("(?m)^alice\\.v3\\.page1\\.value: (\\S+)$").matcher(published);
    StringBuilder expected = new StringBuilder();
    vectors(m.find() ? m.group(1) : null, m3.find() ? m3.group(1) : null)
        .forEach((k, val) -> expected.append(k).append(": ").append(val).append('\n'));
    assertThat(published).as("docs/protocol.md ```vectors block; expected:%n%s", expected).isEqualTo(expected.toString());
  }
}
