package org.reschat.core.internal.group;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.LocalStateException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.OneTimeKeyAead;
import org.reschat.core.internal.identity.SelfSealer;
import org.reschat.core.spi.LocalState;

/**
 * Invitations (version 3) whose rosters were not on the ledger when they arrived: kept in the local state,
 * sealed like a group's state (they hold epoch secrets), and taken again at every receive until their rosters
 * are there (then judged like any invitation) or turn out bad. At most {@link #MAX}, the oldest dropped.
 *
 * <pre>{"v":1,"pending":[{"from":"rc2:…","page":n,"body":"b64u"}]}</pre>
 */
final class PendingInvitations {
  static final int MAX = 64;
  private static final byte[] LABEL = "reschat/v2 pending invitations".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AAD = "pending invitations".getBytes(StandardCharsets.UTF_8);

  /** One invitation waiting: who sent it, on which page, its body. */
  record Entry(PublicCard from, long page, byte[] body) {
    Entry {
      body = body.clone();
    }

    @Override
    public byte[] body() {
      return body.clone();
    }

    boolean same(Entry o) {
      return o.from.equals(from) && Arrays.equals(o.body, body);
    }
  }

  private final LocalState state;
  private final SelfSealer sealer;

  PendingInvitations(Identity me, LocalState state) {
    this.state = state;
    this.sealer = SelfSealer.of(me, LABEL);
  }

  /** The invitations from {@code from} waiting, oldest first. */
  List<Entry> from(PublicCard from) throws LocalStateException {
    return all().stream().filter(e -> e.from().equals(from)).toList();
  }

  /** Everyone with an invitation waiting. */
  Set<PublicCard> senders() throws LocalStateException {
    return all().stream().map(Entry::from).collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  void add(PublicCard from, long page, byte[] body) throws LocalStateException {
    try (LocalState.Lock lock = state.lock("group-invitations")) {
      List<Entry> all = new ArrayList<>(all());
      Entry e = new Entry(from, page, body);
      if (all.stream().anyMatch(e::same)) {
        return;
      }
      all.add(e);
      while (all.size() > MAX) {
        all.remove(0);
      }
      save(all);
    }
  }

  void remove(Entry gone) throws LocalStateException {
    try (LocalState.Lock lock = state.lock("group-invitations")) {
      List<Entry> all = new ArrayList<>(all());
      if (all.removeIf(gone::same)) {
        save(all);
      }
    }
  }

  private List<Entry> all() throws LocalStateException {
    Optional<String> sealed = state.pendingInvitations();
    if (sealed.isEmpty()) {
      return List.of();
    }
    try {
      byte[] json = sealer.decrypt(Base64Url.decode(sealed.get()).orElseThrow(() ->
          new OneTimeKeyAead.OpenFailedException("not base64url")), AAD);
      JsonObject o = OpJson.object(json, Set.of("v", "pending"), Set.of()).orElseThrow(() ->
          new OneTimeKeyAead.OpenFailedException("not a record of invitations"));
      List<Entry> out = new ArrayList<>();
      for (JsonElement item : OpJson.array(o.get("pending"), MAX).orElseThrow(() ->
          new OneTimeKeyAead.OpenFailedException("not a list"))) {
        Optional<JsonObject> x = OpJson.object(item, Set.of("from", "page", "body"), Set.of());
        Optional<PublicCard> from = x.flatMap(y -> OpJson.card(y.get("from")));
        Optional<Long> page = x.flatMap(y -> OpJson.integer(y.get("page"), 0, Long.MAX_VALUE));
        Optional<byte[]> body = x.flatMap(y -> OpJson.string(y.get("body"))).flatMap(Base64Url::decode);
        if (from.isEmpty() || page.isEmpty() || body.isEmpty()) {
          throw new OneTimeKeyAead.OpenFailedException("an entry is malformed");
        }
        out.add(new Entry(from.get(), page.get(), body.get()));
      }
      return out;
    } catch (OneTimeKeyAead.OpenFailedException e) {
      throw new LocalStateException("The local record of group invitations waiting for their member lists is"
          + " damaged or not this identity's (" + e.getMessage() + "); restore the profile from a backup.", e);
    }
  }

  private void save(List<Entry> all) throws LocalStateException {
    JsonArray list = new JsonArray();
    for (Entry e : all) {
      JsonObject x = new JsonObject();
      x.addProperty("from", e.from().toString());
      x.addProperty("page", e.page());
      x.addProperty("body", Base64Url.encode(e.body()));
      list.add(x);
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.add("pending", list);
    state.savePendingInvitations(Base64Url.encode(sealer.encrypt(o.toString().getBytes(StandardCharsets.UTF_8), AAD)));
  }
}
