package org.reschat.core.internal.group;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.page.PageLimits;

/**
 * {@code GROUP_INVITE} version 3 (issue 20): the epochs handed over as their secrets and the hashes of their
 * rosters ({@link Roster}), which the invitee reads from the ledger, and the inviter's statement of the last
 * epoch exactly as in version 2 ({@link EpochCert}: it signs the members' cards themselves, so a roster that
 * is not the one the inviter stated fails its signature whatever its hash).
 *
 * <pre>
 * {"v":3,"id","name","founder":{"card","nonce"} (founded ids only),"epochs":[{"secret","roster"}],
 *  "signer":index,"credential":[links],"sig"}
 * </pre>
 *
 * @param epochs oldest first; the last is the one the invitee joins
 */
record RosterInvite(String id, String name, Optional<Founder> founder, List<Ref> epochs, int signer,
    List<AdminLink> credential, byte[] sig) {
  private static final Set<String> KEYS = Set.of("v", "id", "name", "epochs", "signer", "credential", "sig");
  private static final Set<String> EPOCH_KEYS = Set.of("secret", "roster");

  /** One epoch handed over: its secret, and the hash of its roster. */
  record Ref(byte[] secret, byte[] roster) {
    Ref {
      secret = secret.clone();
      roster = roster.clone();
    }

    @Override
    public byte[] secret() {
      return secret.clone();
    }

    @Override
    public byte[] roster() {
      return roster.clone();
    }

    String epochId() {
      return Epoch.idOf(secret);
    }
  }

  RosterInvite {
    epochs = List.copyOf(epochs);
    credential = List.copyOf(credential);
    sig = sig.clone();
    if (epochs.isEmpty()) {
      throw new IllegalArgumentException("An invitation hands over at least one epoch");
    }
  }

  @Override
  public byte[] sig() {
    return sig.clone();
  }

  /** The version 3 form of {@code invite}: its epochs by secret and roster hash, its statement unchanged. */
  static RosterInvite of(GroupOp.Invite invite) {
    EpochCert c = invite.cert().orElseThrow(() -> new IllegalStateException("This version writes proven invitations only"));
    List<Ref> refs = invite.epochs().stream().map(e -> new Ref(e.secret(), Roster.hash(invite.id(), e))).toList();
    return new RosterInvite(invite.id(), invite.name(), c.founder(), refs, c.signer(), c.credential(), c.signature());
  }

  /** The invitation whole, once every roster was read: {@code epochs} in the order of {@link #epochs()}. */
  GroupOp.Invite with(List<Epoch> epochs) {
    Epoch last = epochs.get(epochs.size() - 1);
    if (signer >= last.members().size()) {
      return null; // a signer index past the roster's members: checked by the caller
    }
    return new GroupOp.Invite(id, name, epochs, Optional.of(EpochCert.of(last, id, name, signer, founder, credential,
        sig)));
  }

  byte[] encode() {
    JsonObject o = new JsonObject();
    o.addProperty("v", 3);
    o.addProperty("id", id);
    o.addProperty("name", name);
    founder.ifPresent(f -> o.add("founder", OpJson.founder(f)));
    JsonArray list = new JsonArray();
    for (Ref r : epochs) {
      JsonObject eo = new JsonObject();
      eo.addProperty("secret", Base64Url.encode(r.secret()));
      eo.addProperty("roster", Base64Url.encode(r.roster()));
      list.add(eo);
    }
    o.add("epochs", list);
    o.addProperty("signer", signer);
    o.add("credential", OpJson.links(credential));
    o.addProperty("sig", Base64Url.encode(sig));
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Whether {@code body} is an invitation of version 3 (which {@link #parse} then reads, or finds malformed). */
  static boolean isVersion3(byte[] body) {
    return OpJson.object(body, Set.of("v"), Set.of("id", "name", "epochs", "signer", "credential", "sig", "founder"))
        .flatMap(o -> OpJson.integer(o.get("v"), 3, 3)).isPresent();
  }

  /** Strict: exactly these members, canonical base64url, bounded lists; empty for anything else. */
  static Optional<RosterInvite> parse(byte[] body) {
    Optional<JsonObject> parsed = OpJson.object(body, KEYS, Set.of("founder"));
    if (parsed.isEmpty() || OpJson.integer(parsed.get().get("v"), 3, 3).isEmpty()) {
      return Optional.empty();
    }
    JsonObject o = parsed.get();
    Optional<String> id = OpJson.groupId(o.get("id"));
    Optional<String> name = OpJson.name(o.get("name"));
    Optional<List<JsonElement>> items = OpJson.array(o.get("epochs"), GroupCodec.MAX_EPOCHS).filter(l -> !l.isEmpty());
    Optional<List<AdminLink>> credential = OpJson.links(o.get("credential"));
    Optional<byte[]> sig = OpJson.bytes(o.get("sig"), 64);
    Optional<Founder> founder = o.has("founder") ? OpJson.founder(o.get("founder")) : Optional.empty();
    Optional<Long> signer = OpJson.integer(o.get("signer"), 0, PageLimits.MAX_MEMBERS - 1L);
    if (id.isEmpty() || name.isEmpty() || items.isEmpty() || credential.isEmpty() || sig.isEmpty() || signer.isEmpty()
        || (o.has("founder") && founder.isEmpty())) {
      return Optional.empty();
    }
    List<Ref> refs = new ArrayList<>();
    for (JsonElement item : items.get()) {
      Optional<JsonObject> eo = OpJson.object(item, EPOCH_KEYS, Set.of());
      Optional<byte[]> secret = eo.flatMap(x -> OpJson.bytes(x.get("secret"), 32));
      Optional<byte[]> roster = eo.flatMap(x -> OpJson.bytes(x.get("roster"), Roster.HASH_BYTES));
      if (secret.isEmpty() || roster.isEmpty()) {
        return Optional.empty();
      }
      refs.add(new Ref(secret.get(), roster.get()));
    }
    if (refs.stream().map(Ref::epochId).distinct().count() != refs.size()) {
      return Optional.empty();
    }
    return Optional.of(new RosterInvite(id.get(), name.get(), founder, refs, signer.get().intValue(), credential.get(),
        sig.get()));
  }
}
