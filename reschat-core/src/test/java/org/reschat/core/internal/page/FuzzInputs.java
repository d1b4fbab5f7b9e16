package org.reschat.core.internal.page;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.reschat.core.internal.crypto.Base64Url;

/** What the codec fuzz tests feed a parser: values as a hostile ledger may serve them, and near misses of a valid encoding. */
final class FuzzInputs {
  private FuzzInputs() {}

  /** Ledger values: text of the alphabets around base64url, and base64url of random bytes led by the envelope's version. */
  static Arbitrary<String> ledgerValues() {
    Arbitrary<String> text = Arbitraries.strings().withChars("AB-_xyz019+/={}\"").ofMaxLength(400);
    Arbitrary<String> base64 = Arbitraries.bytes().array(byte[].class).ofMaxSize(400).map(b -> {
      byte[] v = b.clone();
      if (v.length > 0) {
        v[0] = 2;
      }
      return Base64Url.encode(v);
    });
    return Arbitraries.oneOf(text, base64);
  }

  /** {@code valid} with one to four bytes changed, inserted or removed at random places. */
  static Arbitrary<byte[]> mutationsOf(byte[] valid) {
    Arbitrary<Integer> where = Arbitraries.integers().between(0, valid.length - 1);
    Arbitrary<Byte> what = Arbitraries.bytes();
    Arbitrary<Integer> how = Arbitraries.integers().between(0, 2);
    Arbitrary<int[]> edit = Combinators.combine(where, what, how).as((w, b, h) -> new int[] {w, b, h});
    return edit.list().ofMinSize(1).ofMaxSize(4).map(edits -> apply(valid, edits));
  }

  private static byte[] apply(byte[] valid, List<int[]> edits) {
    byte[] b = valid.clone();
    for (int[] e : edits) {
      int at = Math.min(e[0], b.length - 1);
      if (e[2] == 0) {
        b[at] = (byte) e[1];
      } else if (e[2] == 1) {
        byte[] n = new byte[b.length + 1];
        System.arraycopy(b, 0, n, 0, at);
        n[at] = (byte) e[1];
        System.arraycopy(b, at, n, at + 1, b.length - at);
        b = n;
      } else if (b.length > 1) {
        byte[] n = new byte[b.length - 1];
        System.arraycopy(b, 0, n, 0, at);
        System.arraycopy(b, at + 1, n, at, b.length - at - 1);
        b = n;
      }
    }
    return b;
  }
}
