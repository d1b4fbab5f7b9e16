package org.reschat.core.internal.group;

import org.reschat.core.internal.identity.Secrets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * A member's signed statement of one epoch of a group: what an invitation proves and what an admin's
 * {@code GROUP_CONFIRM} vouches for. It names the group, its name, the epoch (whose id commits to the
 * secret), the epochs it follows, its members and admins, and which member signs.
 *
 * <pre>
 * signed = "reschat/v2 group epoch\0" ‖ u8 len ‖ group id bytes ‖ u16 len ‖ name (UTF-8) ‖ epoch id (12)
 *        ‖ u8 #parents ‖ parent ids (12 each) ‖ u8 #members ‖ member card bytes (64 each, in order)
 *        ‖ u8 #admins ‖ admin indices (u8 each) ‖ u8 signer index
 * </pre>
 *
 * @param founder the group's founder and nonce, which the id commits to (absent for a legacy id)
 * @param credential the links from the founder to the signer (empty for the founder)
 */
record EpochCert(String groupId, String name, String epochId, List<String> parents, List<PublicCard> members,
    List<PublicCard> admins, int signer, Optional<Founder> founder, List<AdminLink> credential, byte[] signature) {
  private static final byte[] LABEL = "reschat/v2 group epoch\0".getBytes(StandardCharsets.UTF_8);

  /** What a reader can conclude from a statement. */
  enum Standing {
    /**
     * Signed by an admin it names, whose authority leads back to the founder the group id commits to (for a
     * legacy id, which commits to nobody: signed by an admin it names).
     */
    PROVEN,
    /** Signed by a member it names who cannot show an admin's authority: only that member's word. */
    UNPROVEN,
    /** Not what it claims: the signature, the founder or the signer does not check. */
    FORGED
  }

  EpochCert {
    parents = List.copyOf(parents);
    members = List.copyOf(members);
    admins = List.copyOf(admins);
    credential = List.copyOf(credential);
    signature = signature.clone();
    if (signer < 0 || signer >= members.size() || !members.containsAll(admins)) {
      throw new IllegalArgumentException("A statement's signer and admins are among its members");
    }
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** Signs the statement of {@code e} as {@code me}, a member of it. */
  static EpochCert sign(Identity me, String groupId, String name, Epoch e, Optional<Founder> founder,
      List<AdminLink> credential) {
    int signer = e.members().indexOf(me.card());
    byte[] bytes = signed(groupId, name, e.id(), e.parents(), e.members(), e.admins(), signer);
    return new EpochCert(groupId, name, e.id(), e.parents(), e.members(), e.admins(), signer, founder, credential,
        Secrets.of(me).sign(bytes));
  }

  /** The statement as the same signer would sign it for {@code e}: the signature is taken over. */
  static EpochCert of(Epoch e, String groupId, String name, int signer, Optional<Founder> founder,
      List<AdminLink> credential, byte[] signature) {
    return new EpochCert(groupId, name, e.id(), e.parents(), e.members(), e.admins(), signer, founder, credential,
        signature);
  }

  byte[] signedBytes() {
    return signed(groupId, name, epochId, parents, members, admins, signer);
  }

  static byte[] signed(String groupId, String name, String epochId, List<String> parents, List<PublicCard> members,
      List<PublicCard> admins, int signer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(LABEL);
    byte[] id = Base64Url.decode(groupId).orElseThrow();
    out.write(id.length);
    out.writeBytes(id);
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    out.write(n.length >> 8);
    out.write(n.length & 0xff);
    out.writeBytes(n);
    out.writeBytes(Base64Url.decode(epochId).orElseThrow());
    out.write(parents.size());
    parents.forEach(p -> out.writeBytes(Base64Url.decode(p).orElseThrow()));
    out.write(members.size());
    members.forEach(m -> out.writeBytes(m.bytes()));
    out.write(admins.size());
    admins.forEach(a -> out.write(members.indexOf(a)));
    out.write(signer);
    return out.toByteArray();
  }

  PublicCard signerCard() {
    return members.get(signer);
  }

  /** What the statement proves (see {@link Standing}); the rules are protocol.md §9 "Invitations". */
  Standing standing() {
    if (!signerCard().verify(signedBytes(), signature)) {
      return Standing.FORGED;
    }
    if (Founder.isFounded(groupId) != founder.isPresent()
        || founder.isPresent() && !founder.get().groupId().equals(groupId)) {
      return Standing.FORGED; // a founded id needs its founder, a legacy id has none
    }
    if (!Epoch.effectiveAdmins(members, admins, null).contains(signerCard())) {
      return Standing.UNPROVEN;
    }
    if (founder.isEmpty()) {
      return Standing.PROVEN; // legacy: an admin's signature is all there is to check
    }
    return AdminLink.chain(groupId, founder.get().card(), credential, signerCard()) ? Standing.PROVEN
        : Standing.UNPROVEN;
  }

  /** Whether this states exactly {@code e}'s members, admins and parents. */
  boolean describes(Epoch e) {
    return e.id().equals(epochId) && e.members().equals(members) && e.admins().equals(admins)
        && e.parents().equals(parents);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EpochCert c && Arrays.equals(c.signature, signature) && c.groupId.equals(groupId)
        && Arrays.equals(c.signedBytes(), signedBytes()) && c.founder.equals(founder) && c.credential.equals(credential);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(signature);
  }
}
