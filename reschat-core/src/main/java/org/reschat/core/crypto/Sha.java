package org.reschat.core.crypto;

import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/** SHA-2 digests over the concatenation of the given parts. */
public final class Sha {
  private Sha() {}

  public static byte[] sha256(byte[]... parts) {
    return digest(new SHA256Digest(), parts);
  }

  public static byte[] sha512(byte[]... parts) {
    return digest(new SHA512Digest(), parts);
  }

  private static byte[] digest(Digest digest, byte[]... parts) {
    for (byte[] part : parts) {
      digest.update(part, 0, part.length);
    }
    byte[] out = new byte[digest.getDigestSize()];
    digest.doFinal(out, 0);
    return out;
  }
}
