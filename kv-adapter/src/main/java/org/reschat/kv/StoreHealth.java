package org.reschat.kv;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What {@link KvStore#health()} found: the store and each of its endpoints (or its file). */
public record StoreHealth(String store, List<Endpoint> endpoints) {

  public StoreHealth {
    endpoints = List.copyOf(endpoints);
  }

  /** True when at least one endpoint answered. */
  public boolean reachable() {
    return endpoints.stream().anyMatch(Endpoint::ok);
  }

  /**
   * One endpoint's probe.
   *
   * @param name the URL or file
   * @param ok whether it answered correctly
   * @param roundTrip how long the probe took, when it answered
   * @param detail a short explanation, e.g. {@code connection refused}
   */
  public record Endpoint(String name, boolean ok, Optional<Duration> roundTrip, String detail) {
    public static Endpoint up(String name, Duration roundTrip, String detail) {
      return new Endpoint(name, true, Optional.of(roundTrip), detail);
    }

    public static Endpoint down(String name, String detail) {
      return new Endpoint(name, false, Optional.empty(), detail);
    }
  }
}
