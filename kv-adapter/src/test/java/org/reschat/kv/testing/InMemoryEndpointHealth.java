package org.reschat.kv.testing;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import org.reschat.kv.EndpointHealthMemory;

/** An {@link EndpointHealthMemory} in a map, shared by the stores a test builds one after another. */
public final class InMemoryEndpointHealth implements EndpointHealthMemory {
  private final Map<HttpUrl, Instant> suspects = new ConcurrentHashMap<>();

  @Override
  public Map<HttpUrl, Instant> suspects() {
    return Map.copyOf(suspects);
  }

  @Override
  public void recordFailure(HttpUrl endpoint, Instant suspectUntil) {
    suspects.put(endpoint, suspectUntil);
  }

  @Override
  public void recordSuccess(HttpUrl endpoint) {
    suspects.remove(endpoint);
  }
}
