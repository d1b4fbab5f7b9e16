package org.reschat.core.internal.device;

import static org.reschat.core.testing.VectorKeys.alice;
import static org.reschat.core.testing.VectorKeys.range;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Base64Url;

/**
 * The device vectors of docs/protocol.md §15.10, computed from fixed keys and compared with the published block.
 * Ed25519 is deterministic (RFC 8032), so every line but the sealed value is fixed; that one was sealed once
 * with a random salt, and is checked by opening it with nothing but Alice's card. If this fails the format
 * changed or the document is stale; the message prints the block to paste.
 */
class DeviceVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  static PublicCard device1() throws Exception {
    return PublicCard.of(new Ed25519PrivateKeyParameters(range(0x80, 32), 0).generatePublicKey().getEncoded(),
        new X25519PrivateKeyParameters(range(0xa0, 32), 0).generatePublicKey().getEncoded());
  }

  static byte[] device0Agreement() {
    return new X25519PrivateKeyParameters(range(0xc0, 32), 0).generatePublicKey().getEncoded();
  }

  static DeviceList entry1() throws Exception {
    return DeviceList.first(alice(), device0Agreement(), List.of(device1()));
  }

  /** Every line but the sealed value, which the test opens instead. */
  static Map<String, String> computed() throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    Identity alice = alice();
    DeviceList e = entry1();
    out.put("alice.card", alice.card().toString());
    out.put("device0.x25519", HEX.formatHex(device0Agreement()));
    out.put("device1.ed25519", HEX.formatHex(device1().signingKey()));
    out.put("device1.x25519", HEX.formatHex(device1().encryptionKey()));
    out.put("list.secret", HEX.formatHex(DeviceLog.secret(alice.card())));
    out.put("list.entry1.key", DeviceLog.key(alice.card(), 1));
    out.put("list.entry1.bytes", HEX.formatHex(e.encoded()));
    out.put("list.entry1.hash", Base64Url.encode(e.hash()));
    // Device 1's feed in the conversation of §14 (Alice and Bob).
    Identity bob = Identity.importPrivateKeys(range(0x40, 64));
    org.reschat.core.internal.conversation.Conversation ab = org.reschat.core.internal.conversation.Conversation
        .pair(alice, bob.card()).withDevices(Map.of(alice.card(), e.linked()));
    org.reschat.core.spi.FeedId feed = ab.feeds().stream().filter(f -> ab.deviceOf(f) == 1).findFirst().orElseThrow();
    out.put("device1.fingerprint", HEX.formatHex(ab.fingerprintOf(feed)));
    out.put("device1.writer_tag", feed.writer());
    out.put("device1.page1.key", ab.pageKey(feed, 1));
    // The self channel (§15.6): epoch 0's secret, and page 1 of device 1's feed there.
    out.put("self.secret", HEX.formatHex(SelfChannel.secret(alice)));
    org.reschat.core.internal.conversation.Conversation self = SelfChannel.conversation(alice)
        .withDevices(Map.of(alice.card(), e.linked()));
    org.reschat.core.spi.FeedId selfFeed = self.feeds().stream().filter(f -> self.deviceOf(f) == 1).findFirst()
        .orElseThrow();
    out.put("self.device1.page1.key", self.pageKey(selfFeed, 1));
    // A SELF_GROUP body (§15.6): the group's id and its state sealed as the link bundle carries it (here a
    // stand-in: the sealing draws a random nonce, so a real one is not a fixed vector).
    out.put("self.group.body", new String(SelfChannel.groupBody("rmeqDi0zmm-6HjqYw2FsWH99", "AQIDBA"),
        java.nio.charset.StandardCharsets.UTF_8));
    // A SELF_GROUP body naming a state over a message by file (§15.6): the stand-in state is 20,000 "A"s, the
    // file key 10 11 … 2f (a real one is drawn at random); its chunk 0 at the location of §10.2.
    out.put("self.group.file.body", new String(groupFileBody(new org.reschat.kv.memory.MemoryKvStore()),
        java.nio.charset.StandardCharsets.UTF_8));
    out.put("self.group.file.chunk0.key", org.reschat.core.internal.files.FileLayout.location(range(0x10, 32), 0));
    // A new self epoch (§15.6, §15.7 step 3): its secret (here e0 e1 … ff; a real one is drawn at random), its id,
    // and the SELF_ROTATE body sealing it to device 1 (HPKE with an ephemeral from a zero seed, as §14's vectors).
    byte[] t1 = range(0xe0, 32);
    out.put("self.epoch1.secret", HEX.formatHex(t1));
    out.put("self.epoch1.id", SelfChannel.conversation(alice, t1.clone()).id());
    out.put("self.rotate.body", new String(SelfChannel.rotateBody(alice, t1, Map.of(1, device1().encryptionKey()),
        org.reschat.core.internal.crypto.Hpke.withDeterministicEphemeralsForTestVectorsOnly(new byte[32])),
        java.nio.charset.StandardCharsets.UTF_8));
    return out;
  }

  /** The file form of SELF_GROUP for the stand-in state, its chunks written to {@code store}. */
  static byte[] groupFileBody(org.reschat.kv.KvStore store) throws Exception {
    java.security.SecureRandom fixed = new java.security.SecureRandom() {
      @Override
      public void nextBytes(byte[] bytes) {
        System.arraycopy(range(0x10, bytes.length), 0, bytes, 0, bytes.length);
      }
    };
    return SelfChannel.groupBody(store, "rmeqDi0zmm-6HjqYw2FsWH99", "A".repeat(20_000), fixed);
  }

  static Map<String, String> published() throws Exception {
    return org.reschat.core.testing.PublishedVectors.in("device-vectors");
  }

  @Test
  void theDocumentPublishesExactlyTheseVectors() throws Exception {
    Map<String, String> published = published();
    String value = published.getOrDefault("list.entry1.value", DeviceLog.seal(entry1()));
    Map<String, String> expected = new LinkedHashMap<>(computed());
    expected.put("list.entry1.value", value);
    StringBuilder block = new StringBuilder();
    expected.forEach((k, v) -> block.append(k).append(": ").append(v).append('\n'));
    assertThat(published).as("docs/protocol.md ```device-vectors block; expected:%n%s", block).isEqualTo(expected);
    // The device feed's names, from the formulas of §15.3 with nothing but HKDF and SHA-256.
    byte[] fp = org.reschat.core.internal.crypto.Sha.sha256("reschat/v3 device\0".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        alice().card().bytes(), device1().signingKey());
    assertThat(HEX.formatHex(fp)).isEqualTo(expected.get("device1.fingerprint"));
    byte[] secret = HEX.parseHex("9ad6510a1e4017cef62113bbbba73c50a087cc3babc4464235d648c8af5febe8"); // §14 conversation.secret
    byte[] info = java.nio.ByteBuffer.allocate(19 + 32 + 8).put("reschat/v2 page key".getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .put(fp).putLong(1).array();
    assertThat("rc2." + Base64Url.encode(org.reschat.core.internal.crypto.Hkdf.sha256(secret, new byte[0], info, 16)))
        .isEqualTo(expected.get("device1.page1.key"));
    // The SELF_ROTATE body opens with device 1's X25519 secret alone, to the new epoch's secret.
    assertThat(SelfChannel.openRotate(alice(), 1, range(0xa0, 32), expected.get("self.rotate.body")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8))).hasValueSatisfying(t -> assertThat(t)
        .isEqualTo(range(0xe0, 32)));
    assertThat(SelfChannel.openRotate(alice(), 1, range(0xc0, 32), expected.get("self.rotate.body")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEmpty();
    // The file form reads back, from its chunks, to exactly the state written.
    org.reschat.kv.memory.MemoryKvStore store = new org.reschat.kv.memory.MemoryKvStore();
    groupFileBody(store);
    assertThat(store.keys()).containsExactly(expected.get("self.group.file.chunk0.key"));
    assertThat(SelfChannel.group(store, expected.get("self.group.file.body").getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .hasValueSatisfying(g -> assertThat(g).containsExactly("rmeqDi0zmm-6HjqYw2FsWH99", "A".repeat(20_000)));
    // The sealed value opens with Alice's card alone, to exactly entry 1.
    assertThat(DeviceLog.open(alice().card(), 1, value)).contains(entry1());
  }
}
