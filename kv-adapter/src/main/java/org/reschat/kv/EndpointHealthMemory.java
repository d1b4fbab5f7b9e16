package org.reschat.kv;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import okhttp3.HttpUrl;

/**
 * Which endpoints of an HTTP store failed recently, remembered beyond one store: each {@code reschat}
 * command is a new process, and without a memory each one would send its first request to an endpoint
 * that hangs and pay a hedge delay or a timeout to find out again. Inject one with
 * {@link HttpStoreBuilder#healthMemory}; the default, {@link #NONE}, remembers nothing.
 *
 * <p>The contract:
 * <ul>
 *   <li>Advice only. A store asks a remembered endpoint last, not never: it still uses it when the others
 *       fail, and when every endpoint is remembered. A memory never makes a store refuse to work.</li>
 *   <li>A store honours an entry for at most {@link #REMEMBERED_FOR} from now, whatever time it names, so
 *       a wrong clock or a hostile entry costs at most that long of a less preferred endpoint.</li>
 *   <li>A store calls {@link #recordFailure} when an endpoint failed a request (refused, timed out, answered
 *       with a server error, or was abandoned because another endpoint answered first), and
 *       {@link #recordSuccess} only for an endpoint it knows is remembered, so a healthy cluster costs no
 *       writes. It never calls either while holding a lock.</li>
 *   <li>Implementations are thread-safe, quick (a small local file at most) and never throw: a memory they
 *       cannot read is empty, a change they cannot save is forgotten. Other processes may share the same
 *       memory; the last writer may win.</li>
 * </ul>
 */
public interface EndpointHealthMemory {
  /** How long a failure is remembered, and the longest any entry is honoured. */
  Duration REMEMBERED_FOR = Duration.ofMinutes(1);

  /** Remembers nothing: every store starts with every endpoint in good standing. */
  EndpointHealthMemory NONE = new EndpointHealthMemory() {
    @Override
    public Map<HttpUrl, Instant> suspects() {
      return Map.of();
    }

    @Override
    public void recordFailure(HttpUrl endpoint, Instant suspectUntil) {}

    @Override
    public void recordSuccess(HttpUrl endpoint) {}

    @Override
    public String toString() {
      return "EndpointHealthMemory.NONE";
    }
  };

  /** Endpoints that failed recently, each with the instant after which it is in good standing again. */
  Map<HttpUrl, Instant> suspects();

  /** Remembers that {@code endpoint} failed and should be asked last until {@code suspectUntil}. */
  void recordFailure(HttpUrl endpoint, Instant suspectUntil);

  /** Forgets any failure of {@code endpoint}: it answered. */
  void recordSuccess(HttpUrl endpoint);
}
