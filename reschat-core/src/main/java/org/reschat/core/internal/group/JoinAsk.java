package org.reschat.core.internal.group;

import org.reschat.core.internal.identity.Secrets;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;

/**
 * A request to join through a link, as sealed to the link's box (protocol.md §9 "Join links"):
 * {@code {"v":1,"card","name","sig"}}, {@code sig} the requester's Ed25519 over
 * {@code "reschat/v2 join request\0" ‖ board ‖ card key bytes ‖ name}.
 */
record JoinAsk(PublicCard card, String name, byte[] sig) {
  static final int MAX_NAME_CHARS = 64;

  JoinAsk {
    sig = sig.clone();
  }

  @Override
  public byte[] sig() {
    return sig.clone();
  }

  static JoinAsk sign(Identity me, JoinLink link, String name) {
    return new JoinAsk(me.card(), name, Secrets.of(me).sign(signed(link, me.card(), name)));
  }

  /** Whether the requester named in it signed it, for this link's board (not copied in someone else's name). */
  boolean signedFor(JoinLink link) {
    return card.verify(signed(link, card, name), sig);
  }

  byte[] encode() {
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("card", card.toString());
    o.addProperty("name", name);
    o.addProperty("sig", Base64Url.encode(sig));
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  static Optional<JoinAsk> parse(byte[] body) {
    Optional<JsonObject> o = OpJson.object(body, Set.of("v", "card", "name", "sig"), Set.of())
        .filter(x -> OpJson.integer(x.get("v"), 1, 1).isPresent());
    Optional<PublicCard> card = o.flatMap(x -> OpJson.card(x.get("card")));
    Optional<String> name = o.flatMap(x -> OpJson.string(x.get("name"))).filter(n -> n.length() <= MAX_NAME_CHARS);
    Optional<byte[]> sig = o.flatMap(x -> OpJson.bytes(x.get("sig"), 64));
    return card.isPresent() && name.isPresent() && sig.isPresent()
        ? Optional.of(new JoinAsk(card.get(), name.get(), sig.get())) : Optional.empty();
  }

  private static byte[] signed(JoinLink link, PublicCard card, String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("reschat/v2 join request\0".getBytes(StandardCharsets.UTF_8));
    out.writeBytes(link.board());
    out.writeBytes(card.bytes());
    out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }
}
