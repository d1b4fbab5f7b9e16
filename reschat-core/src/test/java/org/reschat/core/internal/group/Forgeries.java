package org.reschat.core.internal.group;

import org.reschat.core.testing.TestClients;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.reschat.core.ChatClient;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/** What a hostile client can write that this one never would: invitations made up by hand, in each version. */
final class Forgeries {
  private Forgeries() {}

  /** The spellings of a made-up invitation. */
  enum Version {
    /** Version 1, from before statements: no proof at all. */
    V1,
    /** Version 2, the forger's own signed statement of the epoch (the founder copied from the real group). */
    V2_SIGNED_BY_FORGER,
    /** Version 3: the same statement, the epoch's roster written to the ledger by the forger. */
    V3_SIGNED_BY_FORGER
  }

  static Epoch epoch(List<PublicCard> members, List<PublicCard> admins, List<String> parents) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new Epoch(Epoch.idOf(secret), secret, members, admins, parents, Map.of());
  }

  /**
   * The body of an invitation to {@code made}, under {@code real}'s id and name, as {@code forger} writes it
   * through {@code client} (which writes a version 3 invitation's roster).
   */
  static byte[] invitation(Version v, ChatClient client, Identity forger, Group real, Epoch made) throws Exception {
    if (v == Version.V3_SIGNED_BY_FORGER) {
      EpochCert cert = EpochCert.sign(forger, real.id(), real.name(), made, real.trust().founder(), List.of());
      TestClients.groups(client).invitations().publish(real.id(), made);
      return RosterInvite.of(new GroupOp.Invite(real.id(), real.name(), List.of(made), Optional.of(cert))).encode();
    }
    return invitation(v, forger, real, made);
  }

  /** The body of an invitation of version 1 or 2 to {@code made}, under {@code real}'s id and name. */
  static byte[] invitation(Version v, Identity forger, Group real, Epoch made) {
    if (v == Version.V3_SIGNED_BY_FORGER) {
      throw new IllegalArgumentException("a version 3 invitation needs a client to write its roster");
    }
    if (v == Version.V2_SIGNED_BY_FORGER) {
      EpochCert cert = EpochCert.sign(forger, real.id(), real.name(), made, real.trust().founder(), List.of());
      return new GroupOp.Invite(real.id(), real.name(), List.of(made), Optional.of(cert)).encode();
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("id", real.id());
    o.addProperty("name", real.name());
    JsonObject eo = new JsonObject();
    eo.addProperty("secret", Base64Url.encode(made.secret()));
    eo.add("members", OpJson.cards(made.members()));
    eo.add("admins", OpJson.cards(made.admins()));
    eo.addProperty("parent", OpJson.joinParents(made.parents()));
    eo.add("cuts", new JsonObject());
    JsonArray epochs = new JsonArray();
    epochs.add(eo);
    o.add("epochs", epochs);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Sends {@code body} as a GROUP_INVITE from {@code who} to {@code to}, in their 1:1 conversation. */
  static void send(ChatClient who, PublicCard to, String groupName, byte[] body) throws Exception {
    TestClients.conversations(who).send(TestClients.conversations(who).conversationWith(to), Groups.INVITE,
        ("added you to the group \"" + groupName + "\"").getBytes(StandardCharsets.UTF_8), body);
  }
}
