package org.reschat.core.identity;

import com.google.gson.JsonObject;
import java.security.SecureRandom;
import java.util.Optional;
import org.reschat.core.IdentityFileException;
import org.reschat.core.WrongPassphraseException;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.PassphraseBox;
import org.reschat.core.internal.json.StrictJson;

/**
 * Bytes sealed under a passphrase the way identity files are (Argon2id, then AES-256-GCM), for files a person
 * keeps, such as a profile's backup. Salt, nonce and the other Argon2 parameters are chosen here and written
 * with the ciphertext as the fields {@code argon2}, {@code nonce} and {@code ciphertext} of a JSON object the
 * caller owns; the associated data names what the bytes are, so a sealed file of one kind never opens as
 * another.
 */
public final class PassphraseSeal {
  private PassphraseSeal() {}

  /**
   * Seals {@code plaintext} into {@code target}'s three fields.
   *
   * @param argon2MemoryKiB memory per derivation, at least 19 MiB (19456 KiB)
   * @throws IllegalArgumentException when {@code argon2MemoryKiB} is below that floor or above what ResChat opens
   */
  public static void sealInto(JsonObject target, char[] passphrase, int argon2MemoryKiB, byte[] associatedData,
      byte[] plaintext) {
    SecureRandom random = new SecureRandom();
    PassphraseBox.Argon2 defaults = PassphraseBox.Argon2.interactive(random);
    PassphraseBox.Argon2 params = new PassphraseBox.Argon2(argon2MemoryKiB, defaults.iterations(),
        defaults.parallelism(), defaults.salt());
    PassphraseBox.Sealed sealed = PassphraseBox.seal(passphrase, params, associatedData, plaintext, random);
    JsonObject argon2 = new JsonObject();
    argon2.addProperty("memoryKiB", params.memoryKiB());
    argon2.addProperty("iterations", params.iterations());
    argon2.addProperty("parallelism", params.parallelism());
    argon2.addProperty("salt", Base64Url.encode(params.salt()));
    target.add("argon2", argon2);
    target.addProperty("nonce", Base64Url.encode(sealed.nonce()));
    target.addProperty("ciphertext", Base64Url.encode(sealed.ciphertext()));
  }

  /**
   * The bytes {@link #sealInto} sealed in {@code source}.
   *
   * @throws IdentityFileException when the fields are missing or malformed, or ask for more Argon2 work than
   *     ResChat ever writes (refused before any derivation: a planted file cannot make opening it cost minutes)
   * @throws WrongPassphraseException when the passphrase does not open it, or the ciphertext was altered
   */
  public static byte[] openFrom(JsonObject source, char[] passphrase, byte[] associatedData)
      throws IdentityFileException, WrongPassphraseException {
    Optional<JsonObject> a = source.has("argon2") && source.get("argon2").isJsonObject()
        ? Optional.of(source.getAsJsonObject("argon2")) : Optional.empty();
    Optional<Long> memory = a.flatMap(x -> StrictJson.integer(x, "memoryKiB", 1, Integer.MAX_VALUE));
    Optional<Long> iterations = a.flatMap(x -> StrictJson.integer(x, "iterations", 1, Integer.MAX_VALUE));
    Optional<Long> parallelism = a.flatMap(x -> StrictJson.integer(x, "parallelism", 1, Integer.MAX_VALUE));
    Optional<byte[]> salt = a.flatMap(x -> StrictJson.string(x, "salt")).flatMap(Base64Url::decode);
    Optional<byte[]> nonce = StrictJson.string(source, "nonce").flatMap(Base64Url::decode);
    Optional<byte[]> ciphertext = StrictJson.string(source, "ciphertext").flatMap(Base64Url::decode);
    if (memory.isEmpty() || iterations.isEmpty() || parallelism.isEmpty() || salt.isEmpty() || nonce.isEmpty()
        || ciphertext.isEmpty()) {
      throw new IdentityFileException("its sealed fields are missing or malformed");
    }
    PassphraseBox.Argon2 params = new PassphraseBox.Argon2(memory.get().intValue(), iterations.get().intValue(),
        parallelism.get().intValue(), salt.get());
    if (params.excessWork() != null) {
      throw new IdentityFileException("it " + params.excessWork());
    }
    if (params.problem() != null) {
      throw new IdentityFileException("its Argon2 parameters are invalid: " + params.problem());
    }
    byte[] plaintext;
    try {
      plaintext = PassphraseBox.open(passphrase, params, associatedData,
          new PassphraseBox.Sealed(nonce.get(), ciphertext.get()));
    } catch (IllegalArgumentException e) {
      throw new IdentityFileException("its sealed fields are malformed (" + e.getMessage() + ")");
    }
    if (plaintext == null) {
      throw new WrongPassphraseException("wrong passphrase, or altered");
    }
    return plaintext;
  }
}
