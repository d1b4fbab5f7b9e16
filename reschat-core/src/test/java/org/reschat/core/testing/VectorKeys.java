package org.reschat.core.testing;

import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.reschat.core.identity.Identity;

/** The fixed keys docs/protocol.md's test vectors are made with: bytes counting up from a first value. */
public final class VectorKeys {
  private VectorKeys() {}

  /** {@code length} bytes counting up from {@code first}: first, first + 1, … (mod 256). */
  public static byte[] range(int first, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = (byte) (first + i);
    }
    return out;
  }

  /** The vectors' Alice: private keys 00 01 … 3f. */
  public static Identity alice() {
    return Identity.importPrivateKeys(range(0x00, 64));
  }

  /** The vectors' Bob: private keys 40 41 … 7f. */
  public static Identity bob() {
    return Identity.importPrivateKeys(range(0x40, 64));
  }

  /** The X25519 public key of {@code secret}. */
  public static byte[] x25519Public(byte[] secret) {
    return new X25519PrivateKeyParameters(secret, 0).generatePublicKey().getEncoded();
  }
}
