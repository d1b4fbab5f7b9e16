package org.reschat.core.board;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Hkdf;
import org.reschat.kv.KvException;
import org.reschat.kv.KvKeys;
import org.reschat.kv.KvStore;

/**
 * Numbered slots anyone who knows the board's secret can post to: how a stranger reaches someone who
 * does not know them yet (a group's join requests, a person's message requests). Slot {@code i} (from 1)
 * is at {@code rc2.} ‖ b64u(HKDF(secret, "", label ‖ u32 i)[:16]), so the ledger sees keys like any page's.
 *
 * <p>Posters write at the first empty slot and read it back (another poster may have won the race); readers
 * read up to the first empty slot. Anyone may write junk anywhere, so both are bounded by {@link #SLOTS}:
 * junk costs a bounded number of reads, and a full board is an error, never a loop.
 */
public final class Board {
  /** Slots ever read: a post past this is never seen. */
  public static final int SLOTS = 256;
  /** Slots a poster tries after finding its write replaced, before giving up. */
  private static final int MAX_COLLISIONS = 8;
  /** Every value on a board starts with this byte: protocol v2. */
  private static final byte VERSION = 2;

  private final byte[] secret;
  private final byte[] label;

  public Board(byte[] secret, String label) {
    this.secret = secret.clone();
    this.label = label.getBytes(StandardCharsets.UTF_8);
  }

  /** The ledger key of slot {@code i} (from 1). */
  public String key(int i) {
    byte[] info = ByteBuffer.allocate(label.length + 4).put(label).putInt(i).array();
    return KvKeys.requireValid("rc2." + Base64Url.encode(Hkdf.sha256(secret, new byte[0], info, 16)));
  }

  /** A board is full: every slot holds something, or other posters kept replacing this one's writes. */
  public static final class FullException extends Exception {
    FullException() {
      super("the board is full");
    }
  }

  /**
   * Posts at the first empty slot what {@code seal} makes for that slot's key (the key is the associated
   * data, so a post cannot be moved to another slot). Returns the slot.
   */
  public int post(KvStore store, Function<String, byte[]> seal) throws KvException, FullException {
    int collisions = 0;
    for (int i = 1; i <= SLOTS; i++) {
      String key = key(i);
      if (store.get(key).isPresent()) {
        continue; // taken (by a post, or by junk): the next slot
      }
      String value = encode(seal.apply(key));
      store.put(key, value);
      if (store.get(key).map(value::equals).orElse(false)) {
        return i;
      }
      if (++collisions > MAX_COLLISIONS) {
        break; // someone keeps writing where we write
      }
    }
    throw new FullException();
  }

  /** What one slot holds, as the reader is handed it: the payload after the version byte, if any. */
  public record Slot(int number, String key, Optional<byte[]> payload) {}

  /** Handed each slot {@link #read} finds. */
  public interface Reader {
    void slot(Slot slot);
  }

  /**
   * Reads the slots after {@code after} up to the first empty one (at most {@link #SLOTS} in all), handing
   * each to {@code reader}; junk comes with an empty payload. Returns the number of the last non-empty
   * slot read, {@code after} when there was none.
   */
  public int read(KvStore store, int after, Reader reader) throws KvException {
    int last = Math.max(0, after);
    for (int i = last + 1; i <= SLOTS; i++) {
      String key = key(i);
      Optional<String> value = store.get(key);
      if (value.isEmpty()) {
        break;
      }
      reader.slot(new Slot(i, key, decode(value.get())));
      last = i;
    }
    return last;
  }

  /** A value as {@link #post} writes it (also used for replies to a post): the version byte, then the payload. */
  public static String encode(byte[] payload) {
    byte[] out = new byte[payload.length + 1];
    out[0] = VERSION;
    System.arraycopy(payload, 0, out, 1, payload.length);
    return Base64Url.encode(out);
  }

  /** The payload of a board value, or empty when it is not one (junk, another version). */
  public static Optional<byte[]> decode(String value) {
    return Base64Url.decode(value).filter(b -> b.length > 1 && b[0] == VERSION)
        .map(b -> Arrays.copyOfRange(b, 1, b.length));
  }

}
