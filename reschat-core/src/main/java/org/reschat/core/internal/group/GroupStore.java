package org.reschat.core.internal.group;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.reschat.core.GroupException;
import org.reschat.core.LocalStateException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.LocalState;

/**
 * A member's groups in its local state, each sealed under a key only this identity derives (the group's
 * secrets are in it), with the group id as associated data; and the lock that serialises changes to one group.
 */
final class GroupStore {
  private static final byte[] STATE_LABEL = "reschat/v2 group state".getBytes(StandardCharsets.UTF_8);

  private final LocalState state;
  private final org.reschat.core.internal.identity.SelfSealer sealer;
  private final OpenedGroups opened = new OpenedGroups();

  GroupStore(Identity me, LocalState state) {
    this.state = state;
    this.sealer = org.reschat.core.internal.identity.SelfSealer.of(me, STATE_LABEL);
  }

  LocalState state() {
    return state;
  }

  List<Group> list() throws LocalStateException {
    List<Group> out = new ArrayList<>();
    for (String id : state.groupIds()) {
      find(id).ifPresent(out::add);
    }
    out.sort(Comparator.comparing(Group::name));
    return out;
  }

  Optional<Group> find(String id) throws LocalStateException {
    Optional<String> sealed = state.group(id);
    if (sealed.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(open(id, sealed.get()));
  }

  /**
   * The group {@code sealed} holds, sealed by a device of this identity under {@code id}; opened once per text
   * ({@link OpenedGroups}).
   */
  Group open(String id, String sealed) throws LocalStateException {
    return opened.open(id, sealed, this::decryptAndParse);
  }

  private Group decryptAndParse(String id, String sealed) throws LocalStateException {
    try {
      byte[] json = sealer.decrypt(Base64Url.decode(sealed).orElseThrow(() ->
          new OneTimeKeyAead.OpenFailedException("not base64url")), id.getBytes(StandardCharsets.UTF_8));
      return GroupCodec.parse(new String(json, StandardCharsets.UTF_8));
    } catch (OneTimeKeyAead.OpenFailedException | GroupException e) {
      throw new LocalStateException("The local state of group " + id + " is damaged or not this identity's ("
          + e.getMessage() + "); restore the profile from a backup.", e);
    }
  }

  void save(Group g) throws LocalStateException {
    byte[] sealed = sealer.encrypt(GroupCodec.toJson(g).getBytes(StandardCharsets.UTF_8),
        g.id().getBytes(StandardCharsets.UTF_8));
    state.saveGroup(g.id(), Base64Url.encode(sealed));
  }

  /**
   * Serialises changes to one group's state across threads and processes (a {@code receive --follow} and a
   * {@code group remove} in two terminals): every read-modify-write of it happens under this lock, taken
   * before any conversation's lock.
   */
  LocalState.Lock lock(String id) throws LocalStateException {
    return state.lock("group-" + id);
  }
}
