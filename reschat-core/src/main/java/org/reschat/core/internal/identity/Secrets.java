package org.reschat.core.internal.identity;

import java.util.Objects;
import java.util.function.Function;
import org.reschat.core.identity.Identity;

/**
 * The engine's one way to an identity's key material. {@link Identity} hands its keys to this class when it
 * is loaded, so its own API needs no public method that exposes them (as the JDK's internal access
 * classes do; Tink's {@code SecretKeyAccess} plays the same part). Not API: an application never needs it.
 */
public final class Secrets {
  private static volatile Function<Identity, KeyMaterial> access;

  private Secrets() {}

  /** Called once, by {@link Identity}'s class initialiser. */
  public static void install(Function<Identity, KeyMaterial> keys) {
    synchronized (Secrets.class) {
      if (access != null) {
        throw new IllegalStateException("The key access is installed once");
      }
      access = Objects.requireNonNull(keys);
    }
  }

  /** The key material of {@code identity}. */
  public static KeyMaterial of(Identity identity) {
    return access.apply(Objects.requireNonNull(identity, "identity")); // an instance exists, so Identity is loaded
  }
}
