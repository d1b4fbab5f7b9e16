package org.reschat.core.internal.group;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.internal.page.PageLimits;

/**
 * An epoch's roster: its members' cards, admins, parents and cuts, written once to the ledger as a value of its
 * own, sealed under the epoch secret, so that an invitation (version 3) carries the secret and the roster's
 * hash instead of every card (issue 20: creating a group of N wrote N invitations of N cards). protocol.md §9
 * "Rosters":
 *
 * <pre>
 * plaintext = {"v":1,"group","epoch","members":[cards],"admins":[indices],"parents":[ids],"cuts":{hex:[page,slots]}}
 * hash      = SHA-256("reschat/v2 group roster\0" ‖ plaintext)
 * location  = "rc2." ‖ b64u(HKDF(E, hash, "reschat/v2 group roster location", 16))
 * value     = b64u(seal(E, "reschat/v2 group roster", plaintext, aad = location))
 * </pre>
 *
 * The location depends on the content: a roster with other cuts (an old epoch handed over later) lands
 * elsewhere, never over one an invitation already names. Only holders of E can find or open it; a reader
 * checks the value's length before decoding, that it opens, that its hash is the one the invitation names,
 * and that it names the group and the epoch of that secret.
 */
final class Roster {
  /** The longest value a reader accepts: 64 members with every cut, and 64 parents, sealed, fit well under it. */
  static final int MAX_VALUE_CHARS = 32 * 1024;
  static final int HASH_BYTES = 32;
  private static final byte[] HASH_LABEL = "reschat/v2 group roster\0".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LOCATION_LABEL = "reschat/v2 group roster location".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SEAL_LABEL = "reschat/v2 group roster".getBytes(StandardCharsets.UTF_8);
  private static final Set<String> KEYS = Set.of("v", "group", "epoch", "members", "admins", "parents", "cuts");

  private Roster() {}

  /** The roster of {@code e} in group {@code groupId}, as its canonical JSON bytes. */
  static byte[] plaintext(String groupId, Epoch e) {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("group", groupId);
    o.addProperty("epoch", e.id());
    o.add("members", OpJson.cards(e.members()));
    o.add("admins", OpJson.indicesOf(e.admins(), e.members()));
    o.add("parents", OpJson.strings(e.parents()));
    o.add("cuts", OpJson.cuts(e.cuts()));
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] hash(byte[] plaintext) {
    return Sha.sha256(HASH_LABEL, plaintext);
  }

  static byte[] hash(String groupId, Epoch e) {
    return hash(plaintext(groupId, e));
  }

  /** Where the roster of hash {@code hash} of the epoch of {@code secret} is: a key shaped like a page's. */
  static String location(byte[] secret, byte[] hash) {
    return "rc2." + Base64Url.encode(Hkdf.sha256(secret, hash, LOCATION_LABEL, 16));
  }

  /** What is written: the location, and the sealed value. */
  record Sealed(String location, String value) {}

  static Sealed seal(String groupId, Epoch e) {
    byte[] plaintext = plaintext(groupId, e);
    String location = location(e.secret(), hash(plaintext));
    String value = sealedAt(location, e.secret(), plaintext);
    if (value.length() > MAX_VALUE_CHARS) {
      throw new IllegalStateException("A roster within the member limit is longer than a reader takes");
    }
    return new Sealed(location, value);
  }

  /** {@code plaintext} sealed as the value at {@code location} under the epoch secret (a test writes others). */
  static String sealedAt(String location, byte[] secret, byte[] plaintext) {
    return Base64Url.encode(new OneTimeKeyAead(secret, SEAL_LABEL).encrypt(plaintext,
        location.getBytes(StandardCharsets.UTF_8)));
  }

  /** What reading a roster found. */
  interface Read {}

  /** The epoch, whole: its secret and what the roster lists. */
  record Found(Epoch epoch) implements Read {}

  /** Nothing at the location (yet): the reader tries again later. */
  record Missing(String location) implements Read {}

  /** Something at the location that is not the roster named: why, in a few words. */
  record Bad(String why) implements Read {}

  /**
   * Judges {@code value}, read at the location of {@code hash} under {@code secret}, as the roster of that
   * epoch of {@code groupId}. Never throws on what a hostile member can write.
   */
  static Read open(String groupId, byte[] secret, byte[] hash, Optional<String> value) {
    String location = location(secret, hash);
    if (value.isEmpty()) {
      return new Missing(location);
    }
    if (value.get().length() > MAX_VALUE_CHARS) {
      return new Bad("its member list on the ledger is longer than any group's");
    }
    Optional<byte[]> sealed = Base64Url.decode(value.get());
    if (sealed.isEmpty()) {
      return new Bad("its member list on the ledger is not base64url");
    }
    byte[] plaintext;
    try {
      plaintext = new OneTimeKeyAead(secret, SEAL_LABEL).decrypt(sealed.get(), location.getBytes(StandardCharsets.UTF_8));
    } catch (OneTimeKeyAead.OpenFailedException e) {
      return new Bad("its member list on the ledger does not open under its key");
    }
    if (!MessageDigest.isEqual(hash(plaintext), hash)) {
      return new Bad("its member list on the ledger is not the one it names (its hash differs)");
    }
    Optional<JsonObject> o = OpJson.object(plaintext, KEYS, Set.of());
    if (o.isEmpty() || OpJson.integer(o.get().get("v"), 1, 1).isEmpty()) {
      return new Bad("its member list is malformed");
    }
    String epochId = org.reschat.core.internal.group.Epoch.idOf(secret);
    if (!OpJson.groupId(o.get().get("group")).orElse("").equals(groupId)
        || !OpJson.epochId(o.get().get("epoch")).orElse("").equals(epochId)) {
      return new Bad("its member list is that of another group or epoch");
    }
    Optional<List<PublicCard>> members = OpJson.cards(o.get().get("members"), PageLimits.MAX_MEMBERS)
        .filter(l -> !l.isEmpty());
    Optional<List<Integer>> admins = members.flatMap(ms -> OpJson.indices(o.get().get("admins"), ms.size(), ms.size()));
    Optional<List<String>> parents = OpJson.epochIds(o.get().get("parents"));
    Optional<Map<String, Epoch.Cut>> cuts = OpJson.cuts(o.get().get("cuts"));
    if (members.isEmpty() || admins.isEmpty() || parents.isEmpty() || cuts.isEmpty()) {
      return new Bad("its member list is malformed");
    }
    List<PublicCard> adminCards = admins.get().stream().map(i -> members.get().get(i)).toList();
    return new Found(new Epoch(epochId, secret, members.get(), adminCards, parents.get(), cuts.get()));
  }
}
