package org.reschat.core.internal.group;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.identity.PublicCard;

/**
 * Who made a group, and the nonce that with their card gives the group's id:
 * {@code id = b64u(SHA-256("reschat/v2 group id\0" ‖ card bytes (64) ‖ nonce (16))[0..18))}. The id commits to
 * the founder, so a copy of the group can name as its admins only people whose signatures lead back to
 * the founder's (see {@link EpochCert}). Ids of 18 bytes are founded; groups made before this rule have
 * random ids of 16 bytes (legacy: see {@link EpochCert#standing()}).
 */
public record Founder(PublicCard card, byte[] nonce) {
  static final int NONCE_BYTES = 16;
  static final int ID_BYTES = 18;
  static final int LEGACY_ID_BYTES = 16;
  private static final byte[] LABEL = "reschat/v2 group id\0".getBytes(StandardCharsets.UTF_8);

  public Founder {
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("A founder's nonce is 16 bytes");
    }
    nonce = nonce.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  static Founder draw(PublicCard card, SecureRandom random) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    return new Founder(card, nonce);
  }

  /** The id of the group this founder made with this nonce. */
  public String groupId() {
    return Base64Url.encode(Arrays.copyOf(Sha.sha256(LABEL, card.bytes(), nonce), ID_BYTES));
  }

  /** Whether {@code groupId} is a founded id (18 bytes), whose invitations must prove themselves. */
  static boolean isFounded(String groupId) {
    return Base64Url.decode(groupId).map(b -> b.length == ID_BYTES).orElse(false);
  }

  /** Whether {@code groupId} is a group id at all: founded (18 bytes) or legacy (16 random bytes). */
  static boolean isGroupId(String groupId) {
    return Base64Url.decode(groupId).map(b -> b.length == ID_BYTES || b.length == LEGACY_ID_BYTES).orElse(false);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Founder f && f.card.equals(card) && Arrays.equals(f.nonce, nonce);
  }

  @Override
  public int hashCode() {
    return card.hashCode();
  }
}
