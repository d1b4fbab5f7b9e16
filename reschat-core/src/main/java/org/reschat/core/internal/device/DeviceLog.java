package org.reschat.core.internal.device;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.reschat.core.FeedWarning;
import org.reschat.core.FeedWarning.Kind;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.Padding;
import org.reschat.kv.KvCorruptValueException;
import org.reschat.kv.KvException;
import org.reschat.kv.KvKeys;
import org.reschat.kv.KvStore;

/**
 * An identity's device list on the ledger (protocol §15.2): entry {@code n} at a key only holders of the card
 * can compute, sealed under a secret derived from the card, so the ledger sees a value like a page's.
 *
 * <pre>
 * L(W)      = HKDF(card bytes, salt = "reschat/v3 device list", info = "reschat/v3 device list secret", 32)
 * key(W, n) = "rc2." ‖ b64u(HKDF(L(W), "", "reschat/v3 device list entry" ‖ u32(n), 16))
 * value     = b64u(u8(3) ‖ seal(L(W), "reschat/v3 device list", padmé(entry), aad = "reschat/v3 device list\0" ‖ key))
 * </pre>
 *
 * Reading is bounded as a channel's (§12): a reader with nothing kept gallops and bisects over entries that
 * count, then reads forward over at most {@link #MAX_SKIP} values that do not. A reader with a kept entry
 * first checks that it is still there, the same bytes: gone or replaced by junk or an older entry is a
 * rollback, another signed entry of that number equivocation; either way the kept entry stays in force and
 * nothing newer is taken. Thread-safe.
 */
public final class DeviceLog {
  /** Values in a row that are not entries read past before a forward read stops. */
  public static final int MAX_SKIP = 8;
  private static final byte VERSION = 3;
  private static final byte[] SALT = utf8("reschat/v3 device list");
  private static final byte[] SECRET_LABEL = utf8("reschat/v3 device list secret");
  private static final byte[] KEY_LABEL = utf8("reschat/v3 device list entry");
  private static final byte[] SEAL_LABEL = utf8("reschat/v3 device list");
  private static final byte[] AAD_LABEL = utf8("reschat/v3 device list\0");

  private final KvStore store;

  public DeviceLog(KvStore store) {
    this.store = store;
  }

  /**
   * What a read found.
   *
   * @param newest the newest entry that counts now: the kept one when a problem was found, none when the
   *     identity never wrote a list (it has device 0 only)
   * @param warnings rollback, equivocation, an entry breaking the rules between entries, junk skipped
   * @param reads values read
   */
  public record Read(Optional<DeviceList> newest, List<FeedWarning> warnings, int reads) {
    public Read {
      warnings = List.copyOf(warnings);
    }

    /** Whether the kept entry stays because the store contradicts it (then nothing newer was taken). */
    public boolean contradicted() {
      return warnings.stream().anyMatch(w -> w.kind() == Kind.ROLLBACK || w.kind() == Kind.EQUIVOCATION);
    }
  }

  static byte[] secret(PublicCard card) {
    return Hkdf.sha256(card.bytes(), SALT, SECRET_LABEL, 32);
  }

  /** The ledger key of entry {@code n} of {@code card}'s list. */
  public static String key(PublicCard card, long n) {
    byte[] info = ByteBuffer.allocate(KEY_LABEL.length + 4).put(KEY_LABEL).putInt((int) n).array();
    return KvKeys.requireValid("rc2." + Base64Url.encode(Hkdf.sha256(secret(card), new byte[0], info, 16)));
  }

  /** The ledger value holding {@code entry}. */
  public static String seal(DeviceList entry) {
    String key = key(entry.card(), entry.n());
    byte[] sealed = new OneTimeKeyAead(secret(entry.card()), SEAL_LABEL).encrypt(Padding.padToPadme(entry.encoded()), aad(key));
    byte[] out = new byte[1 + sealed.length];
    out[0] = VERSION;
    System.arraycopy(sealed, 0, out, 1, sealed.length);
    return Base64Url.encode(out);
  }

  /** The entry {@code value} holds if it is entry {@code n} of {@code card}'s list as stored at its key; empty otherwise. */
  public static Optional<DeviceList> open(PublicCard card, long n, String value) {
    if (value.length() > 4096) {
      return Optional.empty(); // an entry of 16 devices and 255 revoked ones is far shorter
    }
    Optional<byte[]> raw = Base64Url.decode(value);
    if (raw.isEmpty() || raw.get().length < 1 + OneTimeKeyAead.OVERHEAD || raw.get()[0] != VERSION) {
      return Optional.empty();
    }
    try {
      byte[] padded = new OneTimeKeyAead(secret(card), SEAL_LABEL).decrypt(
          Arrays.copyOfRange(raw.get(), 1, raw.get().length), aad(key(card, n)));
      return Padding.unpad(padded).flatMap(b -> DeviceList.parse(card, b)).filter(e -> e.n() == n);
    } catch (OneTimeKeyAead.OpenFailedException e) {
      return Optional.empty();
    }
  }

  /** Writes {@code entry} at its key. */
  public void publish(DeviceList entry) throws KvException {
    store.put(key(entry.card(), entry.n()), seal(entry));
  }

  /** Reads {@code card}'s list: from {@code kept} when the reader holds an entry, else from the start. */
  public Read read(PublicCard card, Optional<DeviceList> kept) throws KvException {
    Reader r = new Reader(card);
    if (kept.isPresent()) {
      DeviceList k = kept.get();
      Optional<String> value = r.raw(k.n());
      Optional<DeviceList> there = value.flatMap(v -> open(card, k.n(), v));
      if (there.isEmpty()) {
        r.warn(Kind.ROLLBACK, k.n(), "entry " + k.n() + " of this list of devices, which this computer verified, is "
            + (value.isEmpty() ? "gone from the store" : "replaced by something that is not that entry")
            + ": the list was rolled back or tampered with; the devices it named still count, and nothing newer is taken");
        return r.result(kept);
      }
      if (!there.get().equals(k)) {
        r.warn(Kind.EQUIVOCATION, k.n(), "the identity signed a second entry " + k.n() + " of its list of devices, other"
            + " than the one this computer verified; that one still counts, and nothing newer is taken");
        return r.result(kept);
      }
      return r.forward(k);
    }
    long low = 0;
    DeviceList found = null;
    long high = 1;
    while (high <= DeviceList.MAX_ENTRY) {
      Optional<DeviceList> e = r.entry(high);
      if (e.isEmpty()) {
        break;
      }
      low = high;
      found = e.get();
      high *= 2;
    }
    while (high - low > 1) {
      long mid = low + (high - low) / 2;
      Optional<DeviceList> e = r.entry(mid);
      if (e.isPresent()) {
        low = mid;
        found = e.get();
      } else {
        high = mid;
      }
    }
    return found == null ? r.forwardFromNothing() : r.forward(found);
  }

  /** One read: counts values and gathers warnings. */
  private final class Reader {
    final PublicCard card;
    final List<FeedWarning> warnings = new ArrayList<>();
    int reads;

    Reader(PublicCard card) {
      this.card = card;
    }

    Optional<String> raw(long n) throws KvException {
      reads++;
      try {
        return store.get(key(card, n));
      } catch (KvCorruptValueException e) {
        return Optional.of(""); // something that is not a value: not an entry
      }
    }

    Optional<DeviceList> entry(long n) throws KvException {
      return raw(n).flatMap(v -> open(card, n, v));
    }

    void warn(Kind kind, long n, String detail) {
      warnings.add(new FeedWarning(kind, false, n, detail, card));
    }

    Read result(Optional<DeviceList> newest) {
      return new Read(newest, warnings, reads);
    }

    /** From nothing: entry 1 onwards, over junk (a fresh reader whose first probe found no entry). */
    Read forwardFromNothing() throws KvException {
      return walk(null, 1);
    }

    Read forward(DeviceList from) throws KvException {
      return walk(from, from.n() + 1);
    }

    private Read walk(DeviceList last, long start) throws KvException {
      int skipped = 0;
      int junk = 0;
      long firstJunk = 0;
      for (long n = start; n <= DeviceList.MAX_ENTRY && skipped <= MAX_SKIP; n++) {
        Optional<String> value = raw(n);
        if (value.isEmpty()) {
          break;
        }
        Optional<DeviceList> e = open(card, n, value.get());
        if (e.isEmpty()) {
          firstJunk = junk == 0 ? n : firstJunk;
          junk++;
          skipped++;
          continue;
        }
        Optional<String> wrong = last == null ? Optional.empty()
            : skipped == 0 ? e.get().follows(last) : e.get().consistentWith(last, false);
        if (wrong.isPresent()) {
          warn(Kind.EQUIVOCATION, n, "the identity signed an entry " + n + " of its list of devices that cannot follow"
              + " entry " + last.n() + " (" + wrong.get() + "); it is not taken");
          break;
        }
        skipped = 0;
        last = e.get();
      }
      if (junk > 0) {
        warn(Kind.CORRUPT, firstJunk, junk + (junk == 1 ? " value that is not an entry was" : " values that are not entries were")
            + " found in this list of devices and skipped" + (skipped > MAX_SKIP ? " (the search stopped there)" : ""));
      }
      return result(Optional.ofNullable(last));
    }
  }

  private static byte[] aad(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(AAD_LABEL, AAD_LABEL.length + k.length);
    System.arraycopy(k, 0, out, AAD_LABEL.length, k.length);
    return out;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
