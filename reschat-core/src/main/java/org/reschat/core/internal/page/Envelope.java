package org.reschat.core.internal.page;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.Padding;
import org.reschat.core.internal.page.PageFormatException.Reason;

/**
 * What the ledger holds: a version byte and opaque bytes. The whole page (number, link, heads, slots,
 * signature) is padded to a Padmé length and sealed under a one-time key derived from the conversation
 * secret and a fresh salt; the associated data binds the ledger key, so a sealed page copied to another
 * key does not open. Whoever lacks the secret learns nothing but a bucketed length.
 *
 * <pre>
 * value = b64u( u8(2) ‖ salt[16] ‖ ChaCha20-Poly1305(HKDF(secret, salt, "reschat/v2 envelope"), 0, pad(page), aad) )
 * aad   = "reschat/v2 envelope\0" ‖ ledger key
 * </pre>
 */
public final class Envelope {
  private static final byte VERSION = 2;
  private static final byte[] VERSION_BYTE = {VERSION};
  private static final byte[] AAD_LABEL = "reschat/v2 envelope\0".getBytes(StandardCharsets.UTF_8);

  /** Envelopes opened since start: a count for tests (how often a path decrypts a page), never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong OPENED = new java.util.concurrent.atomic.AtomicLong();
  /** Envelopes sealed since start: a count for tests (how often a path seals), never a limit. */
  private static final java.util.concurrent.atomic.AtomicLong SEALED = new java.util.concurrent.atomic.AtomicLong();

  private Envelope() {}

  /** Envelopes this process has opened (or tried to) so far. */
  public static long opens() {
    return OPENED.get();
  }

  /** Envelopes this process has sealed so far. */
  public static long seals() {
    return SEALED.get();
  }

  /** The ledger value holding {@code page} at {@code key}. */
  public static String seal(Conversation c, String key, Page page) {
    return seal(c, key, page.sharedEncoding());
  }

  /** The ledger value holding slot record {@code record} (§4.8) at {@code key}. */
  public static String seal(Conversation c, String key, SlotRecord record) {
    return seal(c, key, record.encoded());
  }

  /** The ledger value holding {@code plain} (a page, or a slot record of §4.8) at {@code key}. */
  static String seal(Conversation c, String key, byte[] plain) {
    SEALED.incrementAndGet();
    return Base64Url.encode(c.envelopes().encryptAfter(VERSION_BYTE, Padding.padToPadme(plain), aad(key)));
  }

  /** The page bytes sealed in {@code value} at {@code key}; checks size before decoding anything. */
  public static byte[] open(Conversation c, String key, String value) throws PageFormatException {
    OPENED.incrementAndGet();
    byte[] raw = decode(value);
    try {
      byte[] padded = c.envelopes().decrypt(Arrays.copyOfRange(raw, 1, raw.length), aad(key));
      return Padding.unpad(padded)
          .orElseThrow(() -> new PageFormatException(Reason.NOT_AN_ENVELOPE, "its padding is malformed"));
    } catch (OneTimeKeyAead.OpenFailedException e) {
      throw new PageFormatException(Reason.DOES_NOT_OPEN, "it does not open with this conversation's key at this place");
    }
  }

  /** Checks that {@code value} has the form of a sealed page, without opening it (for local files). */
  public static void checkForm(String value) throws PageFormatException {
    decode(value);
  }

  /** Checks that an outbox value has the form of a page sealed whole or of an open page's records ({@link QueuedRecords}). */
  public static void checkQueuedForm(String value) throws PageFormatException {
    if (QueuedRecords.is(value)) {
      QueuedRecords.checkForm(value);
    } else {
      checkForm(value);
    }
  }

  private static byte[] decode(String value) throws PageFormatException {
    if (value.length() > PageLimits.MAX_VALUE_CHARS) {
      throw new PageFormatException(Reason.TOO_LARGE, "it is larger than any sealed page (" + value.length()
          + " characters)");
    }
    byte[] raw = Base64Url.decode(value)
        .orElseThrow(() -> new PageFormatException(Reason.NOT_AN_ENVELOPE, "it is not base64url"));
    if (raw.length < 1 + OneTimeKeyAead.OVERHEAD) {
      throw new PageFormatException(Reason.NOT_AN_ENVELOPE, "it is too short to hold a page");
    }
    if (raw[0] != VERSION) {
      throw new PageFormatException(Reason.UNSUPPORTED_VERSION, "it has version " + (raw[0] & 0xFF)
          + ", and only version " + VERSION + " is understood");
    }
    return raw;
  }

  static byte[] aad(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(AAD_LABEL, AAD_LABEL.length + k.length);
    System.arraycopy(k, 0, out, AAD_LABEL.length, k.length);
    return out;
  }
}
