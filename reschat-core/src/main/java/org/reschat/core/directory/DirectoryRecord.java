package org.reschat.core.directory;

import org.reschat.core.internal.identity.Secrets;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.reschat.core.InvalidCardException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.json.StrictJson;

/**
 * One signed directory value (protocol §11): a person's card record, or their claim of a name on a name's
 * board. Signed by the card it carries, so nobody else can make one; a value that does not verify is junk.
 *
 * @param kind {@code card} (at the card's own key) or {@code claim} (on a name board)
 * @param card whose record this is, and whose signature it carries
 * @param name the claimed name, normalised; empty in a card record that claims none
 * @param listed false once withdrawn ({@code directory unpublish}); claims are always listed
 * @param published the signer's clock
 */
public record DirectoryRecord(String kind, PublicCard card, String name, boolean listed, Instant published) {
  public static final String CARD = "card";
  public static final String CLAIM = "claim";
  /** Values longer than this are junk without parsing. */
  static final int MAX_VALUE_CHARS = 1024;
  private static final byte[] LABEL = "reschat/v2 directory record\0".getBytes(StandardCharsets.US_ASCII);

  /** The bytes signed: label, kind, card, name, listed, milliseconds; every variable part length-prefixed. */
  byte[] signedBytes() {
    byte[] k = kind.getBytes(StandardCharsets.US_ASCII);
    byte[] c = card.bytes();
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(LABEL.length + 1 + k.length + c.length + 2 + n.length + 1 + 8)
        .put(LABEL).put((byte) k.length).put(k).put(c).putShort((short) n.length).put(n)
        .put((byte) (listed ? 1 : 0)).putLong(published.toEpochMilli()).array();
  }

  /** The ledger value: this record signed by {@code signer}, whose card it must be. */
  String sign(Identity signer) {
    if (!signer.card().equals(card)) {
      throw new IllegalArgumentException("A directory record is signed by its own card");
    }
    JsonObject o = new JsonObject();
    o.addProperty("v", 1);
    o.addProperty("kind", kind);
    o.addProperty("card", card.toString());
    o.addProperty("name", name);
    o.addProperty("listed", listed);
    o.addProperty("published", published.toEpochMilli());
    o.addProperty("sig", Base64Url.encode(Secrets.of(signer).sign(signedBytes())));
    return o.toString();
  }

  /** The record in {@code value} if it is exactly one, signed by the card it carries; empty for anything else. */
  public static Optional<DirectoryRecord> parse(String value) {
    if (value.length() > MAX_VALUE_CHARS) {
      return Optional.empty();
    }
    Optional<JsonObject> o = StrictJson.parseObject(value);
    if (o.isEmpty() || o.get().size() != 7 || StrictJson.integer(o.get(), "v", 1, 1).isEmpty()) {
      return Optional.empty();
    }
    Optional<String> kind = StrictJson.string(o.get(), "kind").filter(k -> k.equals(CARD) || k.equals(CLAIM));
    Optional<String> cardText = StrictJson.string(o.get(), "card");
    Optional<String> name = StrictJson.string(o.get(), "name");
    Optional<Boolean> listed = StrictJson.bool(o.get(), "listed");
    Optional<Long> published = StrictJson.integer(o.get(), "published", 0, 1L << 53);
    Optional<byte[]> sig = StrictJson.string(o.get(), "sig").flatMap(Base64Url::decode);
    if (kind.isEmpty() || cardText.isEmpty() || name.isEmpty() || listed.isEmpty() || published.isEmpty() || sig.isEmpty()) {
      return Optional.empty();
    }
    if (!name.get().isEmpty() && !Names.normalise(name.get()).equals(Optional.of(name.get()))) {
      return Optional.empty();
    }
    if (kind.get().equals(CLAIM) && (name.get().isEmpty() || !listed.get())) {
      return Optional.empty();
    }
    PublicCard card;
    try {
      card = PublicCard.parse(cardText.get());
    } catch (InvalidCardException e) {
      return Optional.empty();
    }
    DirectoryRecord r = new DirectoryRecord(kind.get(), card, name.get(), listed.get(), Instant.ofEpochMilli(published.get()));
    return card.verify(r.signedBytes(), sig.get()) ? Optional.of(r) : Optional.empty();
  }
}
