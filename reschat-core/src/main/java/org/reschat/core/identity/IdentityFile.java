package org.reschat.core.identity;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.reschat.core.IdentityFileException;
import org.reschat.core.InvalidCardException;
import org.reschat.core.WrongPassphraseException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.PassphraseBox;
import org.reschat.core.internal.json.StrictJson;

/**
 * The on-disk form of an {@link Identity}: JSON holding the public card and the private keys, sealed
 * under a passphrase (Argon2id → AES-256-GCM, parameters stored in the file) or, when the person chose
 * no passphrase, in the clear. The card is authenticated data of the seal, so a file whose card was
 * swapped does not open. Writing the file atomically with mode 0600 is the caller's job (local-db).
 *
 * <pre>
 * {"format":"reschat-identity","version":2,"card":"rc2:…","protection":"argon2id-aes256gcm",
 *  "argon2":{"memoryKiB":65536,"iterations":3,"parallelism":1,"salt":"…"},"nonce":"…","sealed":"…"}
 * </pre>
 *
 * <p>Version 2 holds 96 bytes of keys (Ed25519 seed, X25519 secret, self seed; see {@link Identity}) under
 * the associated data {@code "reschat/v2 identity " ‖ card}. Version 1 files (64 bytes under
 * {@code "reschat/v1 identity "}) still open, and {@link #upgraded} rewrites one as version 2 with the same
 * keys and the self seed they derive, so nothing that identity sealed becomes unreadable.
 *
 * <p>Version 3 is a linked device's file (protocol §15.9): {@code "device": k} (from 1) and 128 bytes of keys
 * (the identity's X25519 secret and self seed, the device's own Ed25519 seed and X25519 secret) under
 * {@code "reschat/v3 device identity " ‖ k ‖ " " ‖ card}. Version 2 stays what device 0 writes, so a profile
 * that never links a device is readable by every version since the self seed.
 */
public final class IdentityFile {
  static final String FORMAT = "reschat-identity";
  static final int VERSION = 2;
  /** The version before the self seed: still read, never written. */
  static final int LEGACY_VERSION = 1;
  /** A linked device's file (protocol §15.9). */
  static final int DEVICE_VERSION = 3;
  static final String SEALED = "argon2id-aes256gcm";
  static final String CLEAR = "none";
  private static final byte[] AAD_LABEL = "reschat/v2 identity ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] LEGACY_AAD_LABEL = "reschat/v1 identity ".getBytes(StandardCharsets.UTF_8);

  /** The label of a linked device's seal: its number binds too, so a file cannot pass for another device's. */
  private static byte[] deviceLabel(long number) {
    return ("reschat/v3 device identity " + number + " ").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] label(Identity identity) {
    return identity.deviceNumber() == 0 ? AAD_LABEL : deviceLabel(identity.deviceNumber());
  }

  private IdentityFile() {}

  /** Longest display name kept in the file. */
  public static final int MAX_NAME_LENGTH = 64;

  /** The Argon2id memory ResChat asks of a new identity file, in KiB (64 MiB); the most it accepts reading. */
  public static final int DEFAULT_ARGON2_MEMORY_KIB = PassphraseBox.Argon2.DEFAULT_MEMORY_KIB;

  /**
   * Seals {@code identity} under {@code passphrase} with Argon2id at {@code argon2MemoryKiB} (ResChat's passes
   * and parallelism, a fresh salt), with a display name (public, may be null): the one way an identity's keys
   * are written out.
   *
   * @throws IllegalArgumentException when {@code argon2MemoryKiB} is below the floor or above the default
   */
  public static String seal(Identity identity, String name, char[] passphrase, int argon2MemoryKiB,
      SecureRandom random) {
    PassphraseBox.Argon2 defaults = PassphraseBox.Argon2.interactive(random);
    PassphraseBox.Argon2 params = new PassphraseBox.Argon2(argon2MemoryKiB, defaults.iterations(),
        defaults.parallelism(), defaults.salt());
    if (params.creationProblem() != null) {
      throw new IllegalArgumentException(params.creationProblem() + ".");
    }
    return seal(identity, name, passphrase, params, random);
  }

  /** Seals {@code identity} under {@code passphrase} with the given Argon2id parameters (tests and vectors). */
  static String seal(Identity identity, char[] passphrase, PassphraseBox.Argon2 params, SecureRandom random) {
    return seal(identity, null, passphrase, params, random);
  }

  static String seal(Identity identity, String name, char[] passphrase, PassphraseBox.Argon2 params,
      SecureRandom random) {
    String card = identity.card().toString();
    byte[] secret = identity.exportPrivateKeysUnencrypted();
    try {
      PassphraseBox.Sealed sealed = PassphraseBox.seal(passphrase, params, aad(label(identity), card), secret, random);
      JsonObject argon2 = new JsonObject();
      argon2.addProperty("memoryKiB", params.memoryKiB());
      argon2.addProperty("iterations", params.iterations());
      argon2.addProperty("parallelism", params.parallelism());
      argon2.addProperty("salt", Base64Url.encode(params.salt()));
      JsonObject o = header(card, name, SEALED, identity.deviceNumber());
      o.add("argon2", argon2);
      o.addProperty("nonce", Base64Url.encode(sealed.nonce()));
      o.addProperty("sealed", Base64Url.encode(sealed.ciphertext()));
      return pretty(o);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** Writes the keys unprotected, for people who chose no passphrase: the file mode is the only guard. */
  public static String withoutPassphrase(Identity identity) {
    return withoutPassphrase(identity, null);
  }

  /** As {@link #withoutPassphrase(Identity)}, with a display name (may be null). */
  public static String withoutPassphrase(Identity identity, String name) {
    byte[] secret = identity.exportPrivateKeysUnencrypted();
    try {
      JsonObject o = header(identity.card().toString(), name, CLEAR, identity.deviceNumber());
      o.addProperty("privateKeys", Base64Url.encode(secret));
      return pretty(o);
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /** Whether opening {@code json} needs a passphrase. */
  /**
   * Whether opening the file needs a passphrase. For a sealed file its Argon2 parameters are checked here,
   * so a file asking for more work than ResChat writes is refused before anyone is asked for a passphrase.
   */
  public static boolean needsPassphrase(String json) throws IdentityFileException {
    JsonObject o = parse(json);
    if (protection(o).equals(SEALED)) {
      argon2(o);
      return true;
    }
    return false;
  }

  /** The display name stored in the file, if any; readable without the passphrase. */
  public static java.util.Optional<String> name(String json) throws IdentityFileException {
    return StrictJson.string(parse(json), "name");
  }

  /** The card stored in the file, readable without the passphrase. */
  public static PublicCard card(String json) throws IdentityFileException {
    return cardOf(parse(json));
  }

  /**
   * Opens the file.
   *
   * @param passphrase ignored for files without a passphrase
   * @throws WrongPassphraseException when the passphrase does not open it
   * @throws IdentityFileException when the file is malformed
   */
  public static Identity open(String json, char[] passphrase) throws IdentityFileException, WrongPassphraseException {
    JsonObject o = parse(json);
    PublicCard card = cardOf(o);
    boolean legacy = version(o) == LEGACY_VERSION;
    long device = deviceNumber(o);
    int keyBytes = legacy ? Identity.LEGACY_PRIVATE_KEY_BYTES : device > 0 ? Identity.DEVICE_KEY_BYTES : Identity.PRIVATE_KEY_BYTES;
    byte[] secret;
    if (protection(o).equals(CLEAR)) {
      secret = bytes(o, "privateKeys", keyBytes);
    } else {
      if (passphrase == null) {
        throw new WrongPassphraseException("The identity is protected by a passphrase, but none was given.");
      }
      PassphraseBox.Argon2 params = argon2(o);

      PassphraseBox.Sealed sealed = new PassphraseBox.Sealed(bytes(o, "nonce", 12), bytes(o, "sealed", keyBytes + 16));
      secret = PassphraseBox.open(passphrase, params, aad(legacy ? LEGACY_AAD_LABEL : device > 0 ? deviceLabel(device) : AAD_LABEL,
          card.toString()), sealed);
      if (secret == null) {
        throw new WrongPassphraseException("The passphrase is wrong (or the identity file was altered).");
      }
    }
    try {
      if (secret.length != keyBytes) {
        throw bad("its private keys are " + secret.length + " bytes, not " + keyBytes);
      }
      Identity identity;
      try {
        identity = device > 0 ? Identity.linkedDevice(card, (int) device, secret) : Identity.importPrivateKeys(secret);
      } catch (IllegalArgumentException e) {
        throw bad("its private keys do not match its card");
      }
      if (!identity.card().equals(card)) {
        throw bad("its private keys do not match its card");
      }
      return identity;
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }

  /**
   * The same identity as a current file, when {@code json} is a version 1 file that {@code identity} was
   * opened from: the same keys (and the self seed they derive), name and protection; a sealed file keeps
   * its Argon2 cost (raised to the floor for new files if below it) under a fresh salt and nonce. Empty
   * when the file is current already. The caller replaces the file atomically, and only if unchanged.
   *
   * @param passphrase the passphrase that opened it (ignored for a file without one)
   */
  public static java.util.Optional<String> upgraded(String json, Identity identity, char[] passphrase, SecureRandom random)
      throws IdentityFileException {
    JsonObject o = parse(json);
    if (version(o) != LEGACY_VERSION) {
      return java.util.Optional.empty();
    }
    if (!cardOf(o).equals(identity.card())) {
      throw new IllegalArgumentException("The identity was not opened from this file");
    }
    String name = StrictJson.string(o, "name").orElse(null);
    if (protection(o).equals(CLEAR)) {
      return java.util.Optional.of(withoutPassphrase(identity, name));
    }
    PassphraseBox.Argon2 old = argon2(o);
    byte[] salt = new byte[16];
    random.nextBytes(salt);
    PassphraseBox.Argon2 params = new PassphraseBox.Argon2(old.memoryKiB(), old.iterations(), old.parallelism(), salt);
    if (params.creationProblem() != null) {
      params = PassphraseBox.Argon2.minimum(random);
    }
    return java.util.Optional.of(seal(identity, name, passphrase, params, random));
  }

  /** Which device of its identity a file is: 0 unless it is version 3, whose {@code "device"} is 1 or more. */
  private static long deviceNumber(JsonObject o) throws IdentityFileException {
    if (version(o) != DEVICE_VERSION) {
      if (o.has("device")) {
        throw bad("only a linked device's file (version 3) names a device");
      }
      return 0;
    }
    return StrictJson.integer(o, "device", 1, Integer.MAX_VALUE).orElseThrow(() -> bad("it names no device"));
  }

  /** Whether the file is a linked device's (protocol §15.9), readable without the passphrase. */
  public static int device(String json) throws IdentityFileException {
    return (int) deviceNumber(parse(json));
  }

  private static JsonObject header(String card, String name, String protection, int device) {
    JsonObject o = header(card, name, protection);
    if (device > 0) {
      o.addProperty("version", DEVICE_VERSION);
      o.addProperty("device", device);
    }
    return o;
  }

  private static JsonObject header(String card, String name, String protection) {
    if (name != null && (name.isBlank() || name.length() > MAX_NAME_LENGTH)) {
      throw new IllegalArgumentException("A name is 1 to " + MAX_NAME_LENGTH + " characters");
    }
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("version", VERSION);
    if (name != null) {
      o.addProperty("name", name);
    }
    o.addProperty("card", card);
    o.addProperty("protection", protection);
    return o;
  }

  /** The Argon2 parameters of a sealed file, within the bounds of {@link PassphraseBox.Argon2#problem}. */
  private static PassphraseBox.Argon2 argon2(JsonObject o) throws IdentityFileException {
    JsonObject a = o.has("argon2") && o.get("argon2").isJsonObject() ? o.getAsJsonObject("argon2") : null;
    if (a == null) {
      throw bad("it has no Argon2 parameters");
    }
    PassphraseBox.Argon2 params = new PassphraseBox.Argon2(
        (int) StrictJson.integer(a, "memoryKiB", 0, Integer.MAX_VALUE).orElseThrow(() -> bad("memoryKiB is missing")).longValue(),
        (int) StrictJson.integer(a, "iterations", 0, Integer.MAX_VALUE).orElseThrow(() -> bad("iterations is missing")).longValue(),
        (int) StrictJson.integer(a, "parallelism", 0, Integer.MAX_VALUE).orElseThrow(() -> bad("parallelism is missing")).longValue(),
        Base64Url.decode(StrictJson.string(a, "salt").orElse("!")).orElseThrow(() -> bad("the salt is not base64url")));
    if (params.excessWork() != null) {
      throw new IdentityFileException("The identity file " + params.excessWork() + "; it may have been tampered with.");
    }
    String problem = params.problem();
    if (problem != null) {
      throw bad(problem);
    }
    return params;
  }

  private static JsonObject parse(String json) throws IdentityFileException {
    JsonObject o = StrictJson.parseObject(json).orElseThrow(() -> bad("it is not a JSON object"));
    if (!StrictJson.string(o, "format").orElse("").equals(FORMAT)) {
      throw bad("it is not a ResChat identity file");
    }
    long version = StrictJson.integer(o, "version", 0, Long.MAX_VALUE).orElseThrow(() -> bad("it has no version"));
    if (version != VERSION && version != LEGACY_VERSION && version != DEVICE_VERSION) {
      throw new IdentityFileException("The identity file has version " + version + " but this ResChat reads versions "
          + LEGACY_VERSION + " to " + DEVICE_VERSION + "; upgrade ResChat.");
    }
    protection(o);
    return o;
  }

  private static long version(JsonObject o) {
    return StrictJson.integer(o, "version", 0, Long.MAX_VALUE).orElse(0L);
  }

  private static String protection(JsonObject o) throws IdentityFileException {
    String p = StrictJson.string(o, "protection").orElse("");
    if (!p.equals(SEALED) && !p.equals(CLEAR)) {
      throw bad("its protection \"" + p + "\" is unknown");
    }
    return p;
  }

  private static PublicCard cardOf(JsonObject o) throws IdentityFileException {
    try {
      return PublicCard.parse(StrictJson.string(o, "card").orElseThrow(() -> bad("it has no card")));
    } catch (InvalidCardException e) {
      throw new IdentityFileException("The identity file is damaged: its card is invalid (" + e.getMessage() + ")", e);
    }
  }

  private static byte[] bytes(JsonObject o, String name, int minLength) throws IdentityFileException {
    byte[] b = Base64Url.decode(StrictJson.string(o, name).orElseThrow(() -> bad(name + " is missing")))
        .orElseThrow(() -> bad(name + " is not base64url"));
    if (b.length < minLength) {
      throw bad(name + " is too short");
    }
    return b;
  }

  /** The associated data of the seal: the version's label, then the card, so a swapped card does not open. */
  private static byte[] aad(byte[] label, String card) {
    byte[] c = card.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(label, label.length + c.length);
    System.arraycopy(c, 0, out, label.length, c.length);
    return out;
  }

  private static String pretty(JsonObject o) {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
  }

  private static IdentityFileException bad(String problem) {
    return new IdentityFileException("The identity file is damaged: " + problem + ".");
  }
}
