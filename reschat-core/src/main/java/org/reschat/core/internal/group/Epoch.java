package org.reschat.core.internal.group;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Sha;
import org.reschat.core.identity.PublicCard;

/**
 * One epoch of a group: a secret, the members who hold it (in the order they joined), the admins, the
 * epochs it follows, and where it stops reading members removed after it. Each membership change starts a
 * new epoch with a new secret, so a member removed cannot read anything written after the change.
 *
 * @param id b64u of the first 12 bytes of SHA-256("reschat/v2 epoch" ‖ secret): commits to the secret
 * @param parents the epochs this one follows: none for a group's first, one after a change, the merged
 *     siblings (sorted by id) after concurrent changes
 * @param cuts for each member removed when this epoch ended (by fingerprint hex): the end of what counts
 */
public record Epoch(String id, byte[] secret, List<PublicCard> members, List<PublicCard> admins, List<String> parents,
    Map<String, Cut> cuts) {
  /** Bytes of an epoch id. */
  static final int ID_BYTES = 12;

  public Epoch {
    secret = secret.clone();
    members = List.copyOf(members);
    admins = List.copyOf(admins);
    parents = List.copyOf(parents);
    cuts = Map.copyOf(cuts);
    if (!id.equals(idOf(secret))) {
      throw new IllegalArgumentException("An epoch id commits to its secret");
    }
  }

  /** Where a removed member's feed stops counting: page {@code page}, its first {@code slots} messages. */
  public record Cut(long page, int slots) {
    /** Whether the message at ({@code atPage}, {@code atSlot}) was written before the cut. */
    public boolean includes(long atPage, int atSlot) {
      return atPage < page || (atPage == page && atSlot < slots);
    }
  }

  @Override
  public byte[] secret() {
    return secret.clone();
  }

  public static String idOf(byte[] secret) {
    byte[] h = Sha.sha256("reschat/v2 epoch".getBytes(java.nio.charset.StandardCharsets.UTF_8), secret);
    return Base64Url.encode(Arrays.copyOf(h, ID_BYTES));
  }

  public boolean isMember(PublicCard card) {
    return members.contains(card);
  }

  /** The admins still members; when none is left, the longest-standing member. */
  public List<PublicCard> effectiveAdmins() {
    return effectiveAdminsWithout(null);
  }

  /** {@link #effectiveAdmins()} once {@code leaving} is gone. */
  public List<PublicCard> effectiveAdminsWithout(PublicCard leaving) {
    return effectiveAdmins(members, admins, leaving);
  }

  /** The rule of {@link #effectiveAdmins()} over any member and admin lists (a statement not yet an epoch). */
  static List<PublicCard> effectiveAdmins(List<PublicCard> members, List<PublicCard> admins, PublicCard leaving) {
    List<PublicCard> out = new ArrayList<>();
    for (PublicCard a : admins) {
      if (members.contains(a) && !a.equals(leaving)) {
        out.add(a);
      }
    }
    if (out.isEmpty()) {
      members.stream().filter(m -> !m.equals(leaving)).findFirst().ifPresent(out::add);
    }
    return out;
  }

  public boolean isAdmin(PublicCard card) {
    return effectiveAdmins().contains(card);
  }

  public Optional<Cut> cutOf(PublicCard card) {
    return Optional.ofNullable(cuts.get(hex(card)));
  }

  public Epoch withCut(PublicCard card, Cut cut) {
    Map<String, Cut> m = new java.util.HashMap<>(cuts);
    m.putIfAbsent(hex(card), cut);
    return new Epoch(id, secret, members, admins, parents, m);
  }

  /** The same epoch (secret, cuts) with the members, admins and parents an admin's signed statement gives. */
  Epoch as(List<PublicCard> provenMembers, List<PublicCard> provenAdmins, List<String> provenParents) {
    return new Epoch(id, secret, provenMembers, provenAdmins, provenParents, cuts);
  }

  /** Whether {@code text} is an epoch id as written: 12 bytes of canonical base64url. */
  static boolean isId(String text) {
    return Base64Url.decode(text).map(b -> b.length == ID_BYTES).orElse(false);
  }

  static String hex(PublicCard card) {
    return java.util.HexFormat.of().formatHex(card.fingerprint());
  }
}
