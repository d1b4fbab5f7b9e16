package org.reschat.kv;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and retry limits for opening a store. Immutable; build with {@link #builder()}.
 * The defaults suit a real ResilientDB deployment, where one operation takes 100 ms or more.
 */
public final class StoreOptions {
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration confirmTimeout;
  private final int maxAttempts;
  private final Duration retryBackoff;

  private StoreOptions(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.confirmTimeout = b.confirmTimeout;
    this.maxAttempts = b.maxAttempts;
    this.retryBackoff = b.retryBackoff;
  }

  public static StoreOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .connectTimeout(connectTimeout)
        .readTimeout(readTimeout)
        .confirmTimeout(confirmTimeout)
        .maxAttempts(maxAttempts)
        .retryBackoff(retryBackoff);
  }

  /** How long to wait for a TCP connection to one endpoint. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /**
   * How long to wait for one endpoint's answer once connected (ResilientDB has no server timeout). With the
   * connect timeout it is also the deadline of a whole read: retries, backoff and waits included.
   */
  public Duration readTimeout() {
    return readTimeout;
  }

  /**
   * The deadline of a whole write: how long a ResilientDB {@code put} keeps reading back before it gives up
   * with {@link KvUnconfirmedException}, and how long an etcd put may take in all.
   */
  public Duration confirmTimeout() {
    return confirmTimeout;
  }

  /** How many requests one operation may send in all, over every endpoint, before it fails. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The first pause between rounds of retries; it doubles each round, with jitter. */
  public Duration retryBackoff() {
    return retryBackoff;
  }

  @Override
  public String toString() {
    return "StoreOptions{connect=" + connectTimeout + ", read=" + readTimeout + ", confirm=" + confirmTimeout
        + ", attempts=" + maxAttempts + ", backoff=" + retryBackoff + '}';
  }

  public static final class Builder {
    private Duration connectTimeout = Duration.ofSeconds(3);
    private Duration readTimeout = Duration.ofSeconds(10);
    private Duration confirmTimeout = Duration.ofSeconds(15);
    private int maxAttempts = 4;
    private Duration retryBackoff = Duration.ofMillis(100);

    private Builder() {}

    public Builder connectTimeout(Duration value) {
      this.connectTimeout = positive("connectTimeout", value);
      return this;
    }

    public Builder readTimeout(Duration value) {
      this.readTimeout = positive("readTimeout", value);
      return this;
    }

    public Builder confirmTimeout(Duration value) {
      this.confirmTimeout = positive("confirmTimeout", value);
      return this;
    }

    public Builder maxAttempts(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, not " + value);
      }
      this.maxAttempts = value;
      return this;
    }

    public Builder retryBackoff(Duration value) {
      Objects.requireNonNull(value, "retryBackoff");
      if (value.isNegative()) {
        throw new IllegalArgumentException("retryBackoff must not be negative, not " + value);
      }
      this.retryBackoff = value;
      return this;
    }

    public StoreOptions build() {
      return new StoreOptions(this);
    }

    private static Duration positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isZero() || value.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive, not " + value);
      }
      return value;
    }
  }
}
