package org.reschat.core.internal.page;

import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.Padding;

/** The sizes the protocol fixes (pages of version 3, and those of version 2 that are still read). */
public final class PageLimits {
  /** Message slots in a full page. */
  public static final int SLOTS_PER_PAGE = 20;
  /** Fields in a slot. */
  public static final int FIELDS_PER_SLOT = 6;
  /** Largest page (binary, before sealing); a page is full before a message would push it past this. */
  public static final int MAX_PAGE_BYTES = 64 * 1024;
  /** Largest message, in UTF-8 bytes (ResChat's RSA limit was 214 bytes). */
  public static final int MAX_MESSAGE_BYTES = 16 * 1024;
  /** Longest type extension (field 3), in bytes. */
  public static final int MAX_EXTENSION_BYTES = 1024;
  /** Most members a conversation can have; bounds the heads a page carries. */
  public static final int MAX_MEMBERS = 64;
  public static final int HASH_BYTES = 32;
  public static final int SIGNATURE_BYTES = 64;
  /** A sender tag, the other authenticator of a page of version 4: HMAC-SHA256. */
  public static final int TAG_BYTES = 32;
  public static final int EPOCH_TAG_BYTES = 8;
  public static final int HEAD_HASH_BYTES = 8;
  /** Field 4: a one-time message key encrypted for the sender, under the salt of field 5 (pages of version 3). */
  public static final int SENDER_COPY_BYTES = OneTimeKeyAead.KEY_BYTES;
  /** Field 5 bounds: a padded body sealed for the receivers, committed to its key (pages of version 3). */
  public static final int MIN_RECEIVER_COPY_BYTES = Padding.BODY_BUCKET + OneTimeKeyAead.COMMITTING_OVERHEAD;
  public static final int MAX_RECEIVER_COPY_BYTES = MAX_MESSAGE_BYTES + Padding.BODY_BUCKET + OneTimeKeyAead.COMMITTING_OVERHEAD;
  /** Field 4 of a slot written before key commitment (pages of version 2): with a salt of its own. */
  public static final int LEGACY_SENDER_COPY_BYTES = OneTimeKeyAead.KEY_BYTES + OneTimeKeyAead.OVERHEAD;
  /** Field 5 bounds of a slot written before key commitment (pages of version 2). */
  public static final int LEGACY_MIN_RECEIVER_COPY_BYTES = Padding.BODY_BUCKET + OneTimeKeyAead.OVERHEAD;
  public static final int LEGACY_MAX_RECEIVER_COPY_BYTES = MAX_MESSAGE_BYTES + Padding.BODY_BUCKET + OneTimeKeyAead.OVERHEAD;
  /** Largest ledger value a page can become: the padded, sealed, base64url page. */
  public static final int MAX_VALUE_CHARS = 128 * 1024;

  private PageLimits() {}
}
