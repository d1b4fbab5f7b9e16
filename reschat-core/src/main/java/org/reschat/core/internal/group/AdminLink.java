package org.reschat.core.internal.group;

import org.reschat.core.internal.identity.Secrets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * One step of an admin's credential: an admin signs that {@code appointee} is an admin of the group from
 * epoch {@code epochId} on. A credential is the chain of such links from the founder (whose card the group
 * id commits to) to the admin; the founder's own credential is empty.
 *
 * <pre>
 * signed = "reschat/v2 group admin\0" ‖ u8 len ‖ group id bytes ‖ epoch id (12) ‖ appointee card bytes (64)
 * </pre>
 * A link cannot be revoked: a former admin's credential still verifies (docs/threat-model.md says what that leaves).
 */
public record AdminLink(String epochId, PublicCard appointee, byte[] signature) {
  /** The longest credential taken or written: deeper appointments get none (their invitations wait for a confirmation). */
  static final int MAX_CHAIN = 8;
  private static final byte[] LABEL = "reschat/v2 group admin\0".getBytes(StandardCharsets.UTF_8);

  public AdminLink {
    if (!Epoch.isId(epochId) || signature.length != 64) {
      throw new IllegalArgumentException("A link names an epoch and carries a 64-byte signature");
    }
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  static byte[] signed(String groupId, String epochId, PublicCard appointee) {
    byte[] id = Base64Url.decode(groupId).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(LABEL);
    out.write(id.length);
    out.writeBytes(id);
    out.writeBytes(Base64Url.decode(epochId).orElseThrow());
    out.writeBytes(appointee.bytes());
    return out.toByteArray();
  }

  static AdminLink sign(Identity appointer, String groupId, String epochId, PublicCard appointee) {
    return new AdminLink(epochId, appointee, Secrets.of(appointer).sign(signed(groupId, epochId, appointee)));
  }

  /** Whether {@code links} lead from {@code founder} to {@code admin}, each signed by the appointee before it. */
  static boolean chain(String groupId, PublicCard founder, List<AdminLink> links, PublicCard admin) {
    if (links.size() > MAX_CHAIN) {
      return false;
    }
    PublicCard by = founder;
    for (AdminLink l : links) {
      if (!by.verify(signed(groupId, l.epochId, l.appointee), l.signature)) {
        return false;
      }
      by = l.appointee;
    }
    return by.equals(admin);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AdminLink l && l.epochId.equals(epochId) && l.appointee.equals(appointee)
        && Arrays.equals(l.signature, signature);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(signature);
  }
}
