package org.reschat.kv;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;

/**
 * One store's side of an {@link EndpointHealthMemory}: what the memory held when the store was built, read
 * once and capped at {@link EndpointHealthMemory#REMEMBERED_FOR}, and what the store learns since, passed
 * on. Successes are passed on only for endpoints the memory holds, so a healthy cluster costs no writes.
 * Thread-safe.
 */
public final class SuspectEndpoints {
  private final EndpointHealthMemory memory;
  private final Map<HttpUrl, Duration> atStart = new HashMap<>();
  /** Endpoints the memory holds as far as this store knows: remembered at start, or failed since. */
  private final Set<HttpUrl> remembered = ConcurrentHashMap.newKeySet();

  SuspectEndpoints(EndpointHealthMemory memory, List<HttpUrl> endpoints) {
    this.memory = memory;
    Instant now = Instant.now();
    Map<HttpUrl, Instant> suspects = memory.suspects();
    for (HttpUrl url : endpoints) {
      Instant until = suspects.get(url);
      if (until != null && until.isAfter(now)) {
        Duration left = Duration.between(now, until);
        atStart.put(url, left.compareTo(EndpointHealthMemory.REMEMBERED_FOR) > 0 ? EndpointHealthMemory.REMEMBERED_FOR : left);
        remembered.add(url);
      }
    }
  }

  /**
   * How long from when the store was built to ask {@code endpoint} last because an earlier store found it
   * failing: zero for one in good standing, never more than {@link EndpointHealthMemory#REMEMBERED_FOR}.
   */
  public Duration avoidAtStart(HttpUrl endpoint) {
    return atStart.getOrDefault(endpoint, Duration.ZERO);
  }

  /**
   * Passes on what one request to {@code endpoint} showed. Not to be called while holding a lock: the
   * memory may write a file.
   */
  public void record(HttpUrl endpoint, boolean served) {
    if (!served) {
      remembered.add(endpoint);
      memory.recordFailure(endpoint, Instant.now().plus(EndpointHealthMemory.REMEMBERED_FOR));
    } else if (remembered.remove(endpoint)) {
      memory.recordSuccess(endpoint);
    }
  }
}
