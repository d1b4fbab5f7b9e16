package org.reschat.core.internal.page;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.OneTimeKeyAead.OpenFailedException;
import org.reschat.core.internal.crypto.Padding;

/**
 * Seals a message into a slot and opens it again. No public-key operation per message: the receivers'
 * copy (field 5) is the padded body under a one-time key derived from the conversation secret and a
 * fresh salt, committed to that key; the sender's copy (field 4) is that one-time key encrypted under a
 * key only the sender derives from its self seed (and field 5's salt), so a sender reads what they wrote
 * with nothing but their identity. Field 4 carries no tag of its own: the page is signed, and the key it
 * gives is used only if it is the key field 5 commits to and the key the receivers derive.
 *
 * <p>Both copies' associated data bind the version, conversation, writer, page, slot index, fields 0–3 and
 * which copy it is: a copy moved to another slot, page, feed or conversation does not open. A sender opening
 * its own slot also checks that the key in its copy is the receivers' key (it holds the conversation secret,
 * so both are at hand): its history cannot show other bytes than the receivers saw. Slots of version 2 (not
 * committing) still open, with the same check.
 */
public final class SlotSeal {
  private static final byte[] AAD_LABEL = "reschat/v3 slot\0".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LEGACY_AAD_LABEL = "reschat/v2 slot\0".getBytes(StandardCharsets.UTF_8);
  static final int FOR_SENDER = 1;
  static final int FOR_RECEIVERS = 2;

  private SlotSeal() {}

  /** A message to add to a feed. */
  public record Draft(String type, long timestampMillis, byte[] extension, byte[] body) {
    public Draft {
      extension = extension.clone();
      body = body.clone();
    }
  }

  static Slot seal(Conversation c, long number, int index, Draft d) {
    byte[] receiver = c.epochTag();
    byte[] writer = c.fingerprintOf(c.myFeed());
    // The one-time key comes back with the ciphertext: deriving it again from the salt would cost an HKDF.
    OneTimeKeyAead.Sealed sealed = c.messages().encryptKeepingKey(Padding.padBody(d.body()), aad(c, PageCodec.VERSION,
        writer, number, index, receiver, d.type(), d.timestampMillis(), d.extension(), FOR_RECEIVERS));
    byte[] forReceivers = sealed.ciphertext();
    byte[] forSender = c.senderCopies().wrapKeyUnderSaltOf(forReceivers, sealed.key());
    return new Slot(receiver, d.type(), d.timestampMillis(), d.extension(), forSender, forReceivers);
  }

  /** The body of slot {@code index} of a verified page of {@code feed}, through the copy meant for this reader. */
  public static byte[] open(Conversation c, FeedId feed, Page page, int index) throws OpenFailedException {
    return open(c, feed, page.number(), index, page.slots().get(index));
  }

  /** The body of a verified slot record of {@code feed} (§4.8): its slot is the one it has in its page. */
  public static byte[] open(Conversation c, FeedId feed, SlotRecord record) throws OpenFailedException {
    return open(c, feed, record.page(), record.index(), record.slot());
  }

  private static byte[] open(Conversation c, FeedId feed, long number, int index, Slot s) throws OpenFailedException {
    int version = s.committing() ? PageCodec.VERSION : PageCodec.LEGACY_VERSION;
    OneTimeKeyAead receivers = s.committing() ? c.messages() : c.legacyMessages();
    byte[] writer = c.fingerprintOf(feed);
    byte[] receiversAad = aad(c, version, writer, number, index, s.receiver(), s.type(), s.timestampMillis(),
        s.extension(), FOR_RECEIVERS);
    byte[] padded;
    if (c.isMine(feed)) {
      // Version 3: the copy has no tag of its own; the two checks below are what accept its key.
      byte[] key = s.committing() ? c.senderCopies().unwrapKeyUnderSaltOf(s.forReceivers(), s.forSender())
          : c.legacySenderCopies().decrypt(s.forSender(), aad(c, version, writer, number, index, s.receiver(),
              s.type(), s.timestampMillis(), s.extension(), FOR_SENDER));
      // The sender's copy must name the key every receiver derives, or the sender's history could differ.
      if (!MessageDigest.isEqual(key, receivers.keyOf(s.forReceivers()))) {
        throw new OpenFailedException("the sender's copy holds another key than the receivers' copy");
      }
      padded = receivers.open(key, s.forReceivers(), receiversAad);
    } else {
      padded = receivers.decrypt(s.forReceivers(), receiversAad);
    }
    return Padding.unpad(padded).orElseThrow(() -> new OpenFailedException("its padding is malformed"));
  }

  /** The associated data of a slot's copies (protocol §4.3), written into one array of its exact size. */
  static byte[] aad(Conversation c, int version, byte[] writer, long number, int index, byte[] receiver, String type,
      long timestamp, byte[] extension, int copy) {
    byte[] label = version == PageCodec.LEGACY_VERSION ? LEGACY_AAD_LABEL : AAD_LABEL;
    byte[] id = c.idBytes();
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(label.length + 1 + id.length + writer.length + 4 + 1 + receiver.length + 1 + t.length + 8 + 2
            + extension.length + 1)
        .put(label).put((byte) version).put(id).put(writer)
        .putInt((int) number).put((byte) index)
        .put(receiver)
        .put((byte) t.length).put(t)
        .putLong(timestamp)
        .putShort((short) extension.length).put(extension)
        .put((byte) copy)
        .array();
  }
}
