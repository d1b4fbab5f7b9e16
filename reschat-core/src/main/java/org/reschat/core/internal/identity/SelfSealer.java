package org.reschat.core.internal.identity;

import org.reschat.core.identity.Identity;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.OneTimeKeyAead.OpenFailedException;

/**
 * Seals what only this identity reads again (a group's local state) under {@link Identity#selfSecret}, and
 * opens it, or what an identity sealed before the self seed existed (under {@link Identity#legacySelfSecret}),
 * so a profile written by an older ResChat keeps working. The next write seals under the current secret.
 * Immutable, thread-safe.
 */
public final class SelfSealer {
  private final OneTimeKeyAead current;
  private final OneTimeKeyAead legacy;

  private SelfSealer(OneTimeKeyAead current, OneTimeKeyAead legacy) {
    this.current = current;
    this.legacy = legacy;
  }

  /** A sealer for {@code label} (its purpose; also the HKDF info of every one-time key). */
  public static SelfSealer of(Identity me, byte[] label) {
    return new SelfSealer(new OneTimeKeyAead(Secrets.of(me).selfSecret(label), label),
        new OneTimeKeyAead(Secrets.of(me).legacySelfSecret(label), label));
  }

  public byte[] encrypt(byte[] plaintext, byte[] aad) {
    return current.encrypt(plaintext, aad);
  }

  /** Opens what {@link #encrypt} sealed, or what the same label sealed under the legacy secret. */
  public byte[] decrypt(byte[] ciphertext, byte[] aad) throws OpenFailedException {
    try {
      return current.decrypt(ciphertext, aad);
    } catch (OpenFailedException notCurrent) {
      return legacy.decrypt(ciphertext, aad); // written before the self seed; resealed at the next save
    }
  }
}
