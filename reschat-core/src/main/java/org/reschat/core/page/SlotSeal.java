package org.reschat.core.page;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.conversation.FeedId;
import org.reschat.core.crypto.OneTimeKeyAead;
import org.reschat.core.crypto.OneTimeKeyAead.OpenFailedException;
import org.reschat.core.crypto.Padding;

/**
 * Seals a message into a slot and opens it again. No public-key operation per message: the receivers'
 * copy (field 5) is the padded body under a one-time key derived from the conversation secret and a
 * fresh salt; the sender's copy (field 4) is that one-time key sealed under a key only the sender derives
 * from their own private key, so a sender reads what they wrote with nothing but their identity.
 *
 * <p>Both copies' associated data bind the version, conversation, writer, page, slot index, fields 0–3 and
 * which copy it is: a copy moved to another slot, page, feed or conversation does not open.
 */
public final class SlotSeal {
  private static final byte[] AAD_LABEL = "reschat/v2 slot\0".getBytes(StandardCharsets.UTF_8);
  private static final int FOR_SENDER = 1;
  private static final int FOR_RECEIVERS = 2;

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
    byte[] forReceivers = c.messages().encrypt(Padding.padBody(d.body()),
        aad(c, writer, number, index, receiver, d.type(), d.timestampMillis(), d.extension(), FOR_RECEIVERS));
    byte[] forSender = c.senderCopies().encrypt(c.messages().keyOf(forReceivers),
        aad(c, writer, number, index, receiver, d.type(), d.timestampMillis(), d.extension(), FOR_SENDER));
    return new Slot(receiver, d.type(), d.timestampMillis(), d.extension(), forSender, forReceivers);
  }

  /** The body of slot {@code index} of a verified page of {@code feed}, through the copy meant for this reader. */
  public static byte[] open(Conversation c, FeedId feed, Page page, int index) throws OpenFailedException {
    Slot s = page.slots().get(index);
    byte[] writer = c.fingerprintOf(feed);
    byte[] receiversAad = aad(c, writer, page.number(), index, s.receiver(), s.type(), s.timestampMillis(),
        s.extension(), FOR_RECEIVERS);
    byte[] padded;
    if (c.isMine(feed)) {
      byte[] key = c.senderCopies().decrypt(s.forSender(), aad(c, writer, page.number(), index, s.receiver(), s.type(),
          s.timestampMillis(), s.extension(), FOR_SENDER));
      padded = OneTimeKeyAead.openWithKey(key, s.forReceivers(), receiversAad);
    } else {
      padded = c.messages().decrypt(s.forReceivers(), receiversAad);
    }
    return Padding.unpad(padded).orElseThrow(() -> new OpenFailedException("its padding is malformed"));
  }

  static byte[] aad(Conversation c, byte[] writer, long number, int index, byte[] receiver, String type, long timestamp,
      byte[] extension, int copy) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128 + extension.length);
    out.writeBytes(AAD_LABEL);
    out.write(PageCodec.VERSION);
    out.writeBytes(c.idBytes());
    out.writeBytes(writer);
    out.writeBytes(ByteBuffer.allocate(5).putInt((int) number).put((byte) index).array());
    out.writeBytes(receiver);
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.write(t.length);
    out.writeBytes(t);
    out.writeBytes(ByteBuffer.allocate(8).putLong(timestamp).array());
    out.write(extension.length >>> 8);
    out.write(extension.length & 0xFF);
    out.writeBytes(extension);
    out.write(copy);
    return out.toByteArray();
  }
}
