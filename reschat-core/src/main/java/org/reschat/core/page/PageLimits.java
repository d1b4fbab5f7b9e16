package org.reschat.core.page;

import org.reschat.core.crypto.OneTimeKeyAead;
import org.reschat.core.crypto.Padding;

/** The sizes protocol v2 fixes. */
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
  public static final int EPOCH_TAG_BYTES = 8;
  public static final int HEAD_HASH_BYTES = 8;
  /** Field 4: a one-time message key sealed for the sender. */
  public static final int SENDER_COPY_BYTES = OneTimeKeyAead.KEY_BYTES + OneTimeKeyAead.OVERHEAD;
  /** Field 5 bounds: a padded body sealed for the receivers. */
  public static final int MIN_RECEIVER_COPY_BYTES = Padding.BODY_BUCKET + OneTimeKeyAead.OVERHEAD;
  public static final int MAX_RECEIVER_COPY_BYTES = MAX_MESSAGE_BYTES + Padding.BODY_BUCKET + OneTimeKeyAead.OVERHEAD;
  /** Largest ledger value a page can become: the padded, sealed, base64url page. */
  public static final int MAX_VALUE_CHARS = 128 * 1024;

  private PageLimits() {}
}
