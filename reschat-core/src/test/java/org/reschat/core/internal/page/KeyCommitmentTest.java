package org.reschat.core.internal.page;

import org.reschat.core.internal.identity.Secrets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.OneTimeKeyAead.OpenFailedException;
import org.reschat.core.internal.crypto.Padding;
import org.reschat.core.internal.crypto.Salamanders;
import org.reschat.core.identity.Identity;
import org.reschat.core.testing.TestIdentities;

/**
 * Issue 19 item 10: ChaCha20-Poly1305 does not commit to its key, and a sender's copy of the key was never
 * checked against the key the receivers derive. Alice, with a modified client, builds a slot whose
 * receivers' copy is one ciphertext that opens under two keys (an "invisible salamanders" collision), and
 * puts the second key in her own copy: Bob reads one text, Alice's own history (on any device) another.
 */
class KeyCommitmentTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Conversation ab = Conversation.pair(alice, bob.card());
  private final Conversation ba = Conversation.pair(bob, alice.card());
  private final FeedId alicesFeedForBob = ba.feed(ba.indexOf(alice.card()));
  /** What Bob is to read: a garbage block the attack needs, the text, then the padding's 0x80. */
  private static final byte[] TEMPLATE = template("pay mallory 500 euros now, alice");

  private static byte[] template(String text) {
    byte[] t = new byte[64];
    System.arraycopy(text.getBytes(StandardCharsets.US_ASCII), 0, t, 16, 32);
    t[48] = (byte) 0x80;
    return t;
  }

  @Test
  void plainChaCha20Poly1305OpensOneCiphertextUnderTwoKeysAndTheCommittingSealDoesNot() throws Exception {
    byte[] aad = "aad".getBytes(StandardCharsets.UTF_8);
    byte[] k1;
    byte[] k2;
    Optional<byte[]> both;
    do {
      k1 = Salamanders.randomKey(RANDOM);
      k2 = Salamanders.randomKey(RANDOM);
      both = Salamanders.collide(k1, k2, aad, TEMPLATE, 0);
    } while (both.isEmpty());
    byte[] sealed = both.get();
    // The attack works on the primitive: two keys, one ciphertext, two plaintexts.
    byte[] one = OneTimeKeyAead.openWithKey(k1, withSalt(sealed), aad);
    byte[] two = OneTimeKeyAead.openWithKey(k2, withSalt(sealed), aad);
    assertThat(Arrays.copyOfRange(one, 16, 48)).isEqualTo(Arrays.copyOfRange(TEMPLATE, 16, 48));
    assertThat(two).isNotEqualTo(one);

    // Committed: the same ciphertext under the keys a committing seal derives from K1 and K2 carries K1's
    // commitment, so it opens under K1 only.
    byte[] c1 = committedKey(k1);
    byte[] c2 = committedKey(k2);
    do {
      both = Salamanders.collide(c1, c2, aad, TEMPLATE, 0);
      if (both.isEmpty()) {
        k1 = Salamanders.randomKey(RANDOM);
        k2 = Salamanders.randomKey(RANDOM);
        c1 = committedKey(k1);
        c2 = committedKey(k2);
      }
    } while (both.isEmpty());
    byte[] committed = concat(new byte[16], OneTimeKeyAead.commitmentOf(k1), both.get());
    OneTimeKeyAead anyCommitting = OneTimeKeyAead.committing(new byte[32], new byte[0]);
    assertThat(anyCommitting.open(k1, committed, aad)).isNotEmpty();
    byte[] second = k2;
    assertThatThrownBy(() -> anyCommitting.open(second, committed, aad)).isInstanceOf(OpenFailedException.class)
        .hasMessage("it is committed to another key");
  }

  /** On a page of version 2 (no commitment), which old feeds hold: the check of the sender's copy catches it. */
  @Test
  void aSendersCopyHoldingAnotherKeyThanTheReceiversOnAnOldPageDoesNotOpenForTheSender() throws Exception {
    Page page = forgedPage(false);
    byte[] bobSees = SlotSeal.open(ba, alicesFeedForBob, page, 0);
    assertThat(Arrays.copyOfRange(bobSees, 16, 48)).isEqualTo(Arrays.copyOfRange(TEMPLATE, 16, 48));
    Conversation alicesNewDevice = Conversation.pair(alice, bob.card());
    assertThatThrownBy(() -> SlotSeal.open(alicesNewDevice, alicesNewDevice.myFeed(), page, 0))
        .isInstanceOf(OpenFailedException.class)
        .hasMessage("the sender's copy holds another key than the receivers' copy");
  }

  /** On a page of version 3 the receivers' copy commits to its key: the second key opens nothing. */
  @Test
  void aSendersCopyHoldingAnotherKeyThanTheReceiversOnACommittedPageOpensNothingForTheSender() throws Exception {
    Page page = forgedPage(true);
    assertThat(Arrays.copyOfRange(SlotSeal.open(ba, alicesFeedForBob, page, 0), 16, 48))
        .isEqualTo(Arrays.copyOfRange(TEMPLATE, 16, 48));
    assertThatThrownBy(() -> SlotSeal.open(ab, ab.myFeed(), page, 0)).isInstanceOf(OpenFailedException.class);
  }

  @Test
  void anHonestSlotOfEitherVersionOpensTheSameForSenderAndReceiver() throws Exception {
    Page page = new PageWriter(ab).append(null, List.of(), new SlotSeal.Draft("TEXT", 1, new byte[0],
        "hello".getBytes(StandardCharsets.UTF_8)));
    assertThat(page.slots().get(0).committing()).isTrue();
    assertThat(page.encoded()[0]).isEqualTo((byte) 3);
    assertThat(SlotSeal.open(ab, ab.myFeed(), page, 0)).isEqualTo(SlotSeal.open(ba, alicesFeedForBob, page, 0))
        .isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A writer that upgraded appends committed slots to its tail page of version 2: the page becomes version 3
   * with the old slots first. Any other mix is refused: a page of version 2 with a committed slot, one of
   * version 3 ending in an old slot (a downgrade), an old slot after a committed one.
   */
  @Test
  void pagesMixVersionsOnlyAsAnUpgradedWriterAppends() throws Exception {
    Slot old = legacySlot(0, "old");
    Slot old1 = legacySlot(1, "old too");
    Page grown = new PageWriter(ab).append(signed(List.of(old)), List.of(), new SlotSeal.Draft("TEXT", 2, new byte[0],
        "new".getBytes(StandardCharsets.UTF_8)));
    assertThat(grown.encoded()[0]).isEqualTo((byte) 3);
    assertThat(grown.slots()).extracting(Slot::committing).containsExactly(false, true);
    assertThat(new String(SlotSeal.open(ba, alicesFeedForBob, grown, 0), StandardCharsets.UTF_8)).isEqualTo("old");
    assertThat(new String(SlotSeal.open(ab, ab.myFeed(), grown, 1), StandardCharsets.UTF_8)).isEqualTo("new");
    assertThat(signed(List.of(old, old1)).encoded()[0]).isEqualTo((byte) 2);

    Slot fresh = grown.slots().get(1);
    for (List<Slot> slots : List.of(List.of(fresh, old), List.of(old, fresh, old1))) {
      byte[] encoded = PageCodec.withSignature(PageCodec.encodeBody(1, Page.NO_PREVIOUS, List.of(), slots), new byte[64]);
      assertThatThrownBy(() -> PageCodec.parse(encoded)).isInstanceOf(PageFormatException.class)
          .hasMessageContaining("is of another version than its page allows");
    }
    byte[] downgraded = PageCodec.withSignature(PageCodec.encodeBody(1, Page.NO_PREVIOUS, List.of(), List.of(old)), new byte[64]);
    downgraded[0] = 3;
    assertThatThrownBy(() -> PageCodec.parse(downgraded)).isInstanceOf(PageFormatException.class);
    byte[] upgraded = PageCodec.withSignature(PageCodec.encodeBody(1, Page.NO_PREVIOUS, List.of(), List.of(fresh)), new byte[64]);
    upgraded[0] = 2;
    assertThatThrownBy(() -> PageCodec.parse(upgraded)).isInstanceOf(PageFormatException.class);
  }

  /** A slot as ResChat wrote it before key commitment. */
  private Slot legacySlot(int index, String text) {
    byte[] writer = ab.fingerprintOf(ab.myFeed());
    byte[] epoch = ab.epochTag();
    byte[] receivers = ab.legacyMessages().encrypt(Padding.padBody(text.getBytes(StandardCharsets.UTF_8)),
        SlotSeal.aad(ab, PageCodec.LEGACY_VERSION, writer, 1, index, epoch, "TEXT", 1, new byte[0], SlotSeal.FOR_RECEIVERS));
    byte[] sender = ab.legacySenderCopies().encrypt(ab.legacyMessages().keyOf(receivers),
        SlotSeal.aad(ab, PageCodec.LEGACY_VERSION, writer, 1, index, epoch, "TEXT", 1, new byte[0], SlotSeal.FOR_SENDER));
    return new Slot(epoch, "TEXT", 1, new byte[0], sender, receivers);
  }

  private Page signed(List<Slot> slots) throws Exception {
    byte[] body = PageCodec.encodeBody(1, Page.NO_PREVIOUS, List.of(), slots);
    return PageCodec.parse(PageCodec.withSignature(body, Secrets.of(alice).sign(PageVerifier.signed(ab, ab.myFeed(), body))));
  }

  /**
   * Alice's page 1, one slot: the receivers' copy opens under the key Bob derives (to {@link #TEMPLATE})
   * and under a second key of Alice's choosing, which her own copy holds; signed by Alice.
   */
  private Page forgedPage(boolean committing) throws Exception {
    int version = committing ? PageCodec.VERSION : PageCodec.LEGACY_VERSION;
    OneTimeKeyAead receivers = committing ? ab.messages() : ab.legacyMessages();
    byte[] writer = ab.fingerprintOf(ab.myFeed());
    byte[] epoch = ab.epochTag();
    byte[] receiversAad = SlotSeal.aad(ab, version, writer, 1, 0, epoch, "TEXT", 1, new byte[0], SlotSeal.FOR_RECEIVERS);
    byte[] sendersAad = SlotSeal.aad(ab, version, writer, 1, 0, epoch, "TEXT", 1, new byte[0], SlotSeal.FOR_SENDER);
    while (true) {
      byte[] salt = new byte[16];
      RANDOM.nextBytes(salt);
      byte[] k1 = receivers.keyOf(concat(salt, new byte[64])); // the key Bob derives from this salt
      byte[] k2 = Salamanders.randomKey(RANDOM);
      Optional<byte[]> both = committing
          ? Salamanders.collide(committedKey(k1), committedKey(k2), receiversAad, TEMPLATE, 0)
          : Salamanders.collide(k1, k2, receiversAad, TEMPLATE, 0);
      if (both.isEmpty()) {
        continue;
      }
      byte[] forReceivers = committing ? concat(salt, OneTimeKeyAead.commitmentOf(k1), both.get()) : concat(salt, both.get());
      if (!committing) {
        Optional<byte[]> aliceSees = Salamanders.open(k2, receiversAad, both.get()).flatMap(Padding::unpad);
        if (aliceSees.isEmpty()) {
          continue; // her text must unpad too, or her client would just call it damaged
        }
      }
      byte[] forSender = committing ? ab.senderCopies().wrapKeyUnderSaltOf(forReceivers, k2)
          : ab.legacySenderCopies().encrypt(k2, sendersAad);
      Slot slot = new Slot(epoch, "TEXT", 1, new byte[0], forSender, forReceivers);
      byte[] body = PageCodec.encodeBody(1, Page.NO_PREVIOUS, List.of(), List.of(slot));
      byte[] signature = Secrets.of(alice).sign(PageVerifier.signed(ab, ab.myFeed(), body));
      Page page = PageCodec.parse(PageCodec.withSignature(body, signature));
      PageVerifier.verify(ba, alicesFeedForBob, 1, page); // a page Alice really signed
      return page;
    }
  }

  /** The encryption key a committing seal derives from one-time key {@code k} (OneTimeKeyAead's label). */
  private static byte[] committedKey(byte[] k) {
    return Hkdf.sha256(k, new byte[0], "reschat/v3 committed key".getBytes(StandardCharsets.UTF_8), 32);
  }

  private static byte[] withSalt(byte[] sealed) {
    return concat(new byte[16], sealed);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
