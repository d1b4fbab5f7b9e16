package org.reschat.core.internal.board;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.kv.KvException;
import org.reschat.kv.KvKeys;
import org.reschat.kv.KvStore;

/**
 * Numbered slots anyone who knows the board's secret can post to: how a stranger reaches someone who
 * does not know them yet (a group's join requests, a person's message requests). Slot {@code i} (from 1)
 * is at {@code rc2.} ‖ b64u(HKDF(secret, "", label ‖ u32 i)[:16]), so the ledger sees keys like any page's.
 *
 * <p>Anyone holding the secret may write anything anywhere, and nobody can tell a post from junk without
 * opening it, so the board is built so that junk cannot close it and cannot make anyone's cost unbounded:
 * <ul>
 * <li>It grows: slots run to 2³¹ − 1, so no number of junk values fills it.
 * <li>Posters write at the lowest empty slot, found by galloping and bisecting in O(log n) reads. A slot
 * that holds something counts as taken only when random slots below it are taken too: a few junk values
 * at the search's probe points (1, 3, 7, 15, …) would otherwise send every poster far above the posts
 * before it, where a reader does not look. Fooling the samples takes filling the region skipped, one
 * write per slot.
 * <li>Readers find the same lowest empty slot and read back from it, newest first, at most
 * {@link #READS_PER_CALL} slots a call; what they had no budget for is kept as gaps and read by later
 * calls. Junk written before a post does not delay it; to push a post out of a reader's next call, junk
 * must be written after it, {@link #READS_PER_CALL} values of it.
 * </ul>
 */
public final class Board {
  /** The highest slot number (u32 on the wire, kept to a positive int). */
  public static final int MAX_SLOT = Integer.MAX_VALUE;
  /** Slots one {@link #read} hands on at most (its search for the newest slot comes on top). */
  public static final int READS_PER_CALL = 256;
  /** How many slots a board had before it grew (protocol v2 as first published); still a bound for lists. */
  public static final int SLOTS = 256;
  /** Random slots read below a taken probe before trusting that the slots up to it are taken. */
  static final int SAMPLES = 2;
  /** Empty slots a fresh read looks past the lowest empty one, for a poster whose search stepped over it. */
  static final int LOOK_PAST = 8;
  /** Every this many reads, a reader searches from slot 1 as posters do, not from its own newest slot. */
  static final int FRESH_EVERY = 16;
  /** Unread ranges a reader keeps; the oldest go first. */
  public static final int MAX_GAPS = 16;
  /** Empty slots below its newest a reader keeps, to look at again: the lowest. */
  public static final int MAX_HOLES = 256;
  /** Holes a call looks at again (the lowest); a fresh call looks at all. */
  static final int HOLES_PER_CALL = 8;
  /** Slots a poster tries after finding its write replaced, before giving up. */
  private static final int MAX_COLLISIONS = 8;
  /** Every value on a board starts with this byte: protocol v2. */
  private static final byte VERSION = 2;
  private static final RandomGenerator DEFAULT_RANDOM = new SecureRandom();

  private final byte[] secret;
  private final byte[] label;
  private final RandomGenerator random;

  public Board(byte[] secret, String label) {
    this(secret, label, DEFAULT_RANDOM);
  }

  /** With the randomness of the searches' samples given (tests make them repeatable). */
  public Board(byte[] secret, String label, RandomGenerator random) {
    this.secret = secret.clone();
    this.label = label.getBytes(StandardCharsets.UTF_8);
    this.random = random;
  }

  /** The ledger key of slot {@code i} (from 1). */
  public String key(int i) {
    byte[] info = ByteBuffer.allocate(label.length + 4).put(label).putInt(i).array();
    return KvKeys.requireValid("rc2." + Base64Url.encode(Hkdf.sha256(secret, new byte[0], info, 16)));
  }

  /** A post could not be placed: other writers kept replacing this one's writes (or the board is full). */
  public static final class FullException extends Exception {
    FullException() {
      super("the board is full");
    }
  }

  /**
   * Posts at the lowest empty slot what {@code seal} makes for that slot's key (the key is the associated
   * data, so a post cannot be moved to another slot), and reads it back. Returns the slot.
   */
  public int post(KvStore store, Function<String, byte[]> seal) throws KvException, FullException {
    int slot = frontier(new Probe(store), 0);
    for (int collisions = 0; collisions <= MAX_COLLISIONS; collisions++) {
      String key = key(slot);
      String value = encode(seal.apply(key));
      store.put(key, value);
      if (store.get(key).map(value::equals).orElse(false)) {
        return slot;
      }
      if (slot == MAX_SLOT) {
        break;
      }
      slot = frontier(new Probe(store), slot); // another poster won this slot: the next empty one above it
    }
    throw new FullException();
  }

  /**
   * The lowest empty slot above {@code from} (0, or a slot known to be taken), as far as O(log n) reads can
   * tell: gallops from {@code from} by doubling steps, then bisects the last step. A probe that is taken
   * counts only if {@link #SAMPLES} random slots between it and the last probe are taken too; an empty
   * sample is an empty slot lower down, and the search goes on below it.
   */
  int frontier(Probe store, int from) throws KvException, FullException {
    long lo = from;
    long hi;
    for (long step = 1; ; step <<= 1) {
      long x = Math.min(lo + step, MAX_SLOT);
      if (!taken(store, x)) {
        hi = x;
        break;
      }
      long hole = hole(store, lo + 1, x - 1);
      if (hole > 0) {
        hi = hole;
        break;
      }
      if (x == MAX_SLOT) {
        throw new FullException();
      }
      lo = x;
    }
    while (hi - lo > 1) {
      long mid = (lo + hi) >>> 1;
      if (!taken(store, mid)) {
        hi = mid;
        continue;
      }
      long hole = hole(store, lo + 1, mid - 1);
      if (hole > 0) {
        hi = hole;
      } else {
        lo = mid;
      }
    }
    return (int) hi;
  }

  /** An empty slot among a few of {@code a … b} (all of them when there are few), or 0. */
  private long hole(Probe store, long a, long b) throws KvException {
    if (b < a) {
      return 0;
    }
    TreeSet<Long> probes = new TreeSet<>();
    if (b - a + 1 <= SAMPLES) {
      for (long i = a; i <= b; i++) {
        probes.add(i);
      }
    } else {
      while (probes.size() < SAMPLES) {
        probes.add(random.nextLong(a, b + 1));
      }
    }
    for (long i : probes) {
      if (!taken(store, i)) {
        return i;
      }
    }
    return 0;
  }

  private boolean taken(Probe store, long slot) throws KvException {
    return store.get((int) slot).isPresent();
  }

  /**
   * The store as one call reads it: a slot its search probed is not read again for its content, unless the
   * value was too large to keep (no post is; a hostile ledger's values could fill the heap otherwise).
   */
  final class Probe {
    private static final int KEEP = 4096;
    private final KvStore store;
    private final java.util.Map<Integer, Optional<String>> seen = new java.util.HashMap<>();

    Probe(KvStore store) {
      this.store = store;
    }

    Optional<String> get(int slot) throws KvException {
      Optional<String> known = seen.remove(slot);
      if (known == null) {
        known = store.get(key(slot));
        if (known.map(v -> v.length() <= KEEP).orElse(true)) {
          seen.put(slot, known);
        }
      } else {
        seen.put(slot, known);
      }
      return known;
    }
  }

  /** What one slot holds, as the reader is handed it: the payload after the version byte, if any. */
  public record Slot(int number, String key, Optional<byte[]> payload) {}

  /** Handed each slot {@link #read} finds. */
  public interface Reader {
    void slot(Slot slot);
  }

  /** Slots {@code from … to} (inclusive), not read yet. */
  public record Gap(int from, int to) {
    public Gap {
      if (from < 1 || to < from) {
        throw new IllegalArgumentException("not a range of slots: " + from + "…" + to);
      }
    }
  }

  /**
   * What a reader has read of a board, after {@code reads} calls: every slot up to {@code high} was read,
   * except the {@code gaps} (not read yet), and the {@code holes} were empty when read. Posters fill the
   * lowest empty slots first, so the lowest holes are looked at again on every call, all of them on every
   * fresh one. Bounded: at most {@link #MAX_GAPS} gaps (the newest) and {@link #MAX_HOLES} holes (the lowest).
   */
  public record Cursor(int high, List<Gap> gaps, List<Integer> holes, int reads) {
    public static final Cursor START = new Cursor(0, List.of(), List.of(), 0);

    public Cursor {
      if (high < 0 || reads < 0) {
        throw new IllegalArgumentException("a cursor counts up from 0");
      }
      List<Gap> sorted = new ArrayList<>(gaps);
      sorted.removeIf(g -> g.to() > high);
      sorted.sort(Comparator.comparingInt(Gap::from));
      gaps = List.copyOf(sorted.subList(Math.max(0, sorted.size() - MAX_GAPS), sorted.size()));
      TreeSet<Integer> h = new TreeSet<>(holes);
      h.removeIf(i -> i < 1 || i > high);
      holes = h.stream().limit(MAX_HOLES).toList();
    }

    public Cursor(int high, List<Gap> gaps, int reads) {
      this(high, gaps, List.of(), reads);
    }

    /** Slots known to be unread. */
    public long unread() {
      return gaps.stream().mapToLong(g -> (long) g.to() - g.from() + 1).sum();
    }
  }

  /**
   * Reads what was posted since {@code cursor}, newest first, handing each slot that holds something to
   * {@code reader} (junk with an empty payload): the slots between the cursor and the board's lowest empty
   * slot, then older gaps, and the lowest {@link #HOLES_PER_CALL} holes (a fresh call: then every hole), at most
   * {@link #READS_PER_CALL} slots in all. Returns the cursor
   * to pass next time. A call with nothing new costs one read (every {@link #FRESH_EVERY}th call about
   * 6 log₂ n), plus one for each of the lowest {@link #HOLES_PER_CALL} holes (a fresh call: every hole).
   */
  public Cursor read(KvStore kv, Cursor cursor, Reader reader) throws KvException {
    Probe store = new Probe(kv);
    boolean fresh = cursor.reads() % FRESH_EVERY == 0;
    int top;
    try {
      top = frontier(store, fresh ? 0 : cursor.high()) - 1;
      if (fresh) {
        top = lookPast(store, top);
      }
    } catch (FullException e) {
      top = MAX_SLOT;
    }
    int budget = READS_PER_CALL;
    TreeSet<Integer> holes = new TreeSet<>();
    List<Integer> later = new ArrayList<>(); // holes above the lowest few: a fresh call looks after the ranges
    List<Integer> kept = cursor.holes(); // the lowest first
    for (int n = 0; n < kept.size(); n++) { // a poster may have filled one since: posters fill the lowest empty slots
      int h = kept.get(n);
      if (n < HOLES_PER_CALL) {
        budget--;
        if (!visit(store, h, reader)) {
          holes.add(h);
        }
      } else {
        later.add(h);
      }
    }
    List<Gap> gaps = new ArrayList<>(cursor.gaps());
    if (top > cursor.high()) {
      gaps.add(new Gap(cursor.high() + 1, top)); // the newest range: read first
    }
    List<Gap> left = new ArrayList<>();
    gaps.sort(Comparator.comparingInt(Gap::to).reversed());
    for (Gap g : gaps) {
      int i = g.to();
      for (; i >= g.from() && budget > 0; i--, budget--) {
        if (!visit(store, i, reader)) {
          holes.add(i);
        }
      }
      if (i >= g.from()) {
        left.add(new Gap(g.from(), i));
      }
    }
    for (int h : later) {
      if (fresh && budget > 0) {
        budget--;
        if (visit(store, h, reader)) {
          continue;
        }
      }
      holes.add(h);
    }
    return new Cursor(Math.max(cursor.high(), top), left, new ArrayList<>(holes),
        cursor.reads() == Integer.MAX_VALUE ? 1 : cursor.reads() + 1);
  }

  /** Hands slot {@code i} to {@code reader} if it holds something; whether it did. */
  private boolean visit(Probe store, int i, Reader reader) throws KvException {
    Optional<String> value = store.get(i);
    value.ifPresent(v -> reader.slot(new Slot(i, key(i), decode(v))));
    return value.isPresent();
  }

  /**
   * The newest taken slot, looking up to {@link #LOOK_PAST} slots beyond the empty one after {@code top}:
   * a poster whose samples missed a small hole in junk posted above it.
   */
  private int lookPast(Probe store, int top) throws KvException, FullException {
    int jumps = 0; // each jump is over values someone wrote: bounded all the same
    for (int k = 2; k <= LOOK_PAST + 1 && (long) top + k <= MAX_SLOT; k++) {
      if (taken(store, top + k)) {
        top = frontier(store, top + k) - 1;
        k = 1;
        if (++jumps == LOOK_PAST) {
          break;
        }
      }
    }
    return top;
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
