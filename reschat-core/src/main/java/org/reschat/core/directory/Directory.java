package org.reschat.core.directory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * The opt-in directory of cards (protocol §11). A person publishes their signed card at a key derived from
 * its fingerprint, and may claim a name by appending a signed claim to that name's board. The ledger has no
 * compare-and-set, so a name cannot be reserved: a lookup returns every claimant and the caller shows them
 * all. Nothing but the card and the claimed name is published.
 *
 * <p>Reads are bounded whatever the ledger holds: a board is read slot by slot up to its first empty slot,
 * never past {@link #MAX_SLOTS}; each valid claim costs one more read, of the claimant's card record.
 */
public final class Directory {
  /** Slots of a name board; junk can fill them (a denial of the name, never a forgery). */
  public static final int MAX_SLOTS = 32;

  private final KvStore store;
  private final Clock clock;

  public Directory(KvStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The key of a card's record: only a value signed by the card with this fingerprint is accepted there. */
  public static String cardKey(byte[] fingerprint) {
    return "rcdir.card." + Base64Url.encode(Arrays.copyOf(Sha.sha256(
        "reschat/v2 directory card\0".getBytes(StandardCharsets.US_ASCII), fingerprint), 16));
  }

  /** The key of slot {@code slot} of a (normalised) name's board. */
  public static String slotKey(String name, int slot) {
    return "rcdir.name." + Base64Url.encode(Arrays.copyOf(Sha.sha256(
        "reschat/v2 directory name\0".getBytes(StandardCharsets.US_ASCII), name.getBytes(StandardCharsets.UTF_8)), 16))
        + "." + slot;
  }

  /**
   * Publishes {@code me}'s card, and claims {@code name} when given (replacing an earlier claim of another
   * name, which lookups then ignore).
   *
   * @throws InvalidMessageException the name is not a valid name, or its board is full
   */
  public void publish(Identity me, Optional<String> name) throws KvException, InvalidMessageException {
    Optional<String> normal = Optional.empty();
    if (name.isPresent()) {
      normal = Names.normalise(name.get());
      if (normal.isEmpty()) {
        throw new InvalidMessageException("A directory name is 1 to 32 letters, digits, '.', '_' or '-'.");
      }
    }
    Instant now = clock.instant();
    if (normal.isPresent()) {
      claim(me, normal.get(), now);
    }
    store.put(cardKey(me.card().fingerprint()),
        new DirectoryRecord(DirectoryRecord.CARD, me.card(), normal.orElse(""), true, now).sign(me));
  }

  private void claim(Identity me, String name, Instant now) throws KvException, InvalidMessageException {
    int free = -1;
    for (int slot = 0; slot < MAX_SLOTS; slot++) {
      Optional<String> value = store.get(slotKey(name, slot));
      Optional<DirectoryRecord> r = value.flatMap(DirectoryRecord::parse);
      boolean valid = r.isPresent() && r.get().kind().equals(DirectoryRecord.CLAIM) && r.get().name().equals(name);
      if (valid && r.get().card().equals(me.card())) {
        free = slot; // renew my own claim where it is
        break;
      }
      if (!valid && free < 0) {
        free = slot; // empty, or junk nobody can sign: reusable
      }
      if (value.isEmpty()) {
        break;
      }
    }
    if (free < 0) {
      throw new InvalidMessageException("The name '" + name + "' has " + MAX_SLOTS + " claims already; choose another.");
    }
    store.put(slotKey(name, free), new DirectoryRecord(DirectoryRecord.CLAIM, me.card(), name, true, now).sign(me));
  }

  /** Withdraws {@code me} from the directory: the card record says so, and lookups ignore the old claims. */
  public void unpublish(Identity me) throws KvException {
    store.put(cardKey(me.card().fingerprint()),
        new DirectoryRecord(DirectoryRecord.CARD, me.card(), "", false, clock.instant()).sign(me));
  }

  /** The listed card record at {@code fingerprint}'s key, if a valid one is there. */
  public Optional<DirectoryRecord> card(byte[] fingerprint) throws KvException {
    return store.get(cardKey(fingerprint)).flatMap(DirectoryRecord::parse)
        .filter(r -> r.kind().equals(DirectoryRecord.CARD) && r.listed()
            && Arrays.equals(r.card().fingerprint(), fingerprint));
  }

  /**
   * Everyone claiming {@code name}: a claim counts when it is signed, on this name's board, and its
   * claimant's card record still names it. At most {@link #MAX_SLOTS} + {@code MAX_SLOTS} reads.
   *
   * @throws InvalidMessageException {@code name} is not a valid name
   */
  public Lookup lookup(String name) throws KvException, InvalidMessageException {
    String normal = Names.normalise(name).orElseThrow(() ->
        new InvalidMessageException("A directory name is 1 to 32 letters, digits, '.', '_' or '-'."));
    List<Claimant> claimants = new ArrayList<>();
    int junk = 0;
    for (int slot = 0; slot < MAX_SLOTS; slot++) {
      Optional<String> value = store.get(slotKey(normal, slot));
      if (value.isEmpty()) {
        break;
      }
      Optional<DirectoryRecord> claim = DirectoryRecord.parse(value.get())
          .filter(r -> r.kind().equals(DirectoryRecord.CLAIM) && r.name().equals(normal));
      boolean duplicate = claim.isPresent() && claimants.stream().anyMatch(c -> c.card().equals(claim.get().card()));
      Optional<DirectoryRecord> record = claim.isPresent() && !duplicate ? card(claim.get().card().fingerprint()) : Optional.empty();
      if (record.isPresent() && record.get().name().equals(normal)) {
        claimants.add(new Claimant(claim.get().card(), normal, claim.get().published()));
      } else if (!duplicate) {
        junk++;
      }
    }
    return new Lookup(normal, claimants, junk);
  }
}
