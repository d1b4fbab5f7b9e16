package org.reschat.core.group;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Sha;
import org.reschat.core.identity.PublicCard;

/**
 * One epoch of a group: a secret, the members who hold it (in the order they joined), the admins, the
 * epoch it follows, and where it stops reading members removed after it. Each membership change starts a
 * new epoch with a new secret, so a member removed cannot read anything written after the change.
 *
 * @param id b64u of the first 12 bytes of SHA-256("reschat/v2 epoch" ‖ secret): commits to the secret
 * @param cuts for each member removed when this epoch ended (by fingerprint hex): the end of what counts
 */
public record Epoch(String id, byte[] secret, List<PublicCard> members, List<PublicCard> admins, String parent,
    Map<String, Cut> cuts) {

  public Epoch {
    secret = secret.clone();
    members = List.copyOf(members);
    admins = List.copyOf(admins);
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
    return Base64Url.encode(Arrays.copyOf(h, 12));
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
    return new Epoch(id, secret, members, admins, parent, m);
  }

  static String hex(PublicCard card) {
    return java.util.HexFormat.of().formatHex(card.fingerprint());
  }
}
