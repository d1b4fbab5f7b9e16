package org.reschat.cli;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.reschat.cli.text.SafeText;
import org.reschat.core.DeviceInfo;
import org.reschat.core.Devices;
import org.reschat.core.Event;
import org.reschat.core.ReschatException;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.json.StrictJson;
import org.reschat.kv.KvException;
import org.reschat.localdb.Friend;
import org.reschat.localdb.FriendList;
import org.reschat.localdb.ProfileException;

/**
 * What the CLI keeps in step across an identity's devices through the self channel (protocol §15.6): the
 * friends, with their nicknames and verified marks. A change is told as a {@code FRIEND} change whose body
 * is the friend's state now, {@code {"v":1,"card":…,"nickname":… or null when removed,"verified":…}}, so
 * applying the changes in order (a later one wins) ends every device in the same state; and the channels
 * followed. The core's receiver delivers the other devices' changes as {@link Event.FromOtherDevice} in every
 * pass, and {@link #onEvent} makes them here for every front end. Nothing is written or read while the
 * identity has no other device.
 */
public final class SelfSync {
  static final String FRIEND = "FRIEND";
  static final String CHANNEL = "CHANNEL";
  private static final int VERSION = 1;

  private SelfSync() {}

  /** Whether this profile's identity has a device besides this one, as this profile knows (no store read). */
  public static boolean hasOtherDevices(Session session) throws Exception {
    int device = IdentityFile.device(session.profile().readIdentity());
    List<DeviceInfo> known = Devices.known(session.profile().state(), session.card(), session.card(), device);
    return known.stream().filter(d -> !d.revoked()).count() > 1;
  }

  /**
   * Tells the other devices that the friend of {@code card} is now {@code friend} (empty: removed). The local
   * change is made already; a failure here is a note, not the command's failure.
   */
  public static void friendChanged(Session session, PublicCard card, Optional<Friend> friend) throws Exception {
    if (!hasOtherDevices(session)) {
      return;
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", VERSION);
    o.addProperty("card", card.toString());
    o.addProperty("nickname", friend.map(Friend::nickname).orElse(null));
    o.addProperty("verified", friend.map(Friend::verified).orElse(false));
    String summary = friend.isPresent() ? "friend " + friend.get().nickname() : "friend removed";
    try {
      session.client().devices().tellOtherDevices(FRIEND, o.toString().getBytes(StandardCharsets.UTF_8), summary);
    } catch (ReschatException | KvException e) {
      session.output().note("Your other devices were not told of this change: " + e.getMessage());
    }
  }

  /** Tells the other devices that this profile now follows {@code channel} (its id, rcc:…). */
  public static void channelFollowed(Session session, String channel) throws Exception {
    if (!hasOtherDevices(session)) {
      return;
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", VERSION);
    o.addProperty("channel", channel);
    o.addProperty("following", true);
    try {
      session.client().devices().tellOtherDevices(CHANNEL, o.toString().getBytes(StandardCharsets.UTF_8),
          "followed a channel");
    } catch (ReschatException | KvException e) {
      session.output().note("Your other devices were not told of this change: " + e.getMessage());
    }
  }

  /** One {@code CHANNEL} change: follows the channel here too; false when it changes nothing. */
  private static boolean applyChannel(Session session, byte[] body, Consumer<String> say) throws Exception {
    Optional<JsonObject> parsed = StrictJson.parseObject(new String(body, StandardCharsets.UTF_8));
    if (parsed.isEmpty() || StrictJson.integer(parsed.get(), "v", VERSION, VERSION).isEmpty()
        || !StrictJson.bool(parsed.get(), "following").orElse(false)) {
      return false;
    }
    Optional<org.reschat.core.channel.ChannelId> id = StrictJson.string(parsed.get(), "channel")
        .flatMap(org.reschat.core.channel.ChannelId::parse);
    if (id.isEmpty() || org.reschat.cli.commands.ChannelCommand.follows(session, id.get())) {
      return false;
    }
    try {
      String name = org.reschat.cli.commands.ChannelCommand.follow(session, id.get());
      say.accept("Your other device followed the channel " + (name == null ? "" : "#" + SafeText.line(name)
          + " ") + id.get() + "; this one follows it too.");
      return true;
    } catch (ReschatException | KvException e) {
      say.accept("A channel your other device followed could not be followed here yet: " + e.getMessage());
      return false;
    }
  }

  /**
   * Applies {@code e} when it is a change from another device of this identity ({@link Event.FromOtherDevice},
   * which the receiver delivers in every pass, protocol §15.6), telling {@code say} what changed here; the one
   * place every front end (receive, the daemon, the web client, the chat view) applies them. Never throws: a
   * change that cannot be applied is said so (a later change of the same thing carries its whole state).
   *
   * @return whether {@code e} was such a change (then the front end shows nothing else for it)
   */
  public static boolean onEvent(Session session, Event e, Consumer<String> say) {
    if (!(e instanceof Event.FromOtherDevice)) {
      return false;
    }
    Devices.SelfChange change = ((Event.FromOtherDevice) e).change();
    try {
      if (FRIEND.equals(change.kind())) {
        applyFriend(session, change.body(), say);
      } else if (CHANNEL.equals(change.kind())) {
        applyChannel(session, change.body(), say);
      } // another kind: from a newer version, left as it is
    } catch (Exception ex) {
      say.accept("A change from your other device was not applied: " + ex.getMessage());
    }
    return true;
  }

  /** One {@code FRIEND} change; false when it is not one this version reads, or changes nothing here. */
  private static boolean applyFriend(Session session, byte[] body, Consumer<String> say) throws Exception {
    Optional<JsonObject> parsed = StrictJson.parseObject(new String(body, StandardCharsets.UTF_8));
    if (parsed.isEmpty() || StrictJson.integer(parsed.get(), "v", VERSION, VERSION).isEmpty()) {
      return false; // damaged, or from a newer version: the friend list stays as it is
    }
    JsonObject o = parsed.get();
    PublicCard card;
    try {
      card = PublicCard.parse(StrictJson.string(o, "card").orElse(""));
    } catch (ReschatException e) {
      return false;
    }
    Optional<String> nickname = StrictJson.string(o, "nickname");
    boolean verified = StrictJson.bool(o, "verified").orElse(false);
    FriendList friends = session.profile().friends();
    Optional<Friend> here = friends.list().stream().filter(f -> f.card().equals(card)).findFirst();
    try {
      if (nickname.isEmpty()) {
        if (here.isEmpty()) {
          return false;
        }
        friends.remove(here.get().nickname());
        say.accept("Your other device removed " + SafeText.line(here.get().nickname()) + " from your friends.");
        return true;
      }
      String nick = nickname.get();
      boolean changed = false;
      if (here.isEmpty()) {
        friends.add(nick, card, session.card());
        say.accept("Your other device added " + SafeText.line(nick) + " to your friends.");
        changed = true;
      } else if (!here.get().nickname().equals(nick)) {
        friends.rename(here.get().nickname(), nick);
        say.accept("Your other device renamed " + SafeText.line(here.get().nickname()) + " to " + SafeText.line(nick) + ".");
        changed = true;
      }
      if (verified && (here.isEmpty() || !here.get().verified())) {
        friends.markVerified(nick);
        say.accept("Your other device marked " + SafeText.line(nick) + " as verified.");
        changed = true;
      }
      return changed;
    } catch (ProfileException e) {
      say.accept("A change from your other device was not applied: " + e.getMessage());
      return false;
    }
  }
}
