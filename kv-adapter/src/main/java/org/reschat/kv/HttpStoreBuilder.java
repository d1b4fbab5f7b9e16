package org.reschat.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * What every HTTP store is built from: its endpoints (base URLs, injected), its {@link StoreOptions},
 * optionally an OkHttp client to share pools with and an {@link EndpointHealthMemory} to share what it
 * learns of failing endpoints with later stores. {@code B} is the concrete builder, so calls chain.
 */
public abstract class HttpStoreBuilder<B extends HttpStoreBuilder<B, S>, S extends KvStore> {
  private final List<HttpUrl> endpoints = new ArrayList<>();
  private StoreOptions options = StoreOptions.defaults();
  private OkHttpClient client;
  private EndpointHealthMemory healthMemory = EndpointHealthMemory.NONE;

  protected HttpStoreBuilder() {}

  /** Adds an endpoint such as {@code http://127.0.0.1:18000}. */
  public B endpoint(String url) {
    HttpUrl parsed = HttpUrl.parse(url);
    if (parsed == null) {
      throw new IllegalArgumentException("Not an http:// or https:// URL: " + url);
    }
    return endpoint(parsed);
  }

  public B endpoint(HttpUrl url) {
    endpoints.add(Objects.requireNonNull(url, "url"));
    return self();
  }

  public B endpoints(List<HttpUrl> urls) {
    urls.forEach(this::endpoint);
    return self();
  }

  public B options(StoreOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    return self();
  }

  /** A client to share connection pools and dispatchers with; its timeouts are replaced by the options'. */
  public B client(OkHttpClient client) {
    this.client = Objects.requireNonNull(client, "client");
    return self();
  }

  /** Where endpoints that failed are remembered, e.g. a file other processes read too; none by default. */
  public B healthMemory(EndpointHealthMemory memory) {
    this.healthMemory = Objects.requireNonNull(memory, "memory");
    return self();
  }

  public S build() {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(storeName() + " needs at least one endpoint");
    }
    return create();
  }

  public List<HttpUrl> endpoints() {
    return List.copyOf(endpoints);
  }

  public StoreOptions options() {
    return options;
  }

  /** The client given, or a new one. */
  public OkHttpClient baseClient() {
    return client != null ? client : new OkHttpClient();
  }

  /** Reads the health memory for this store's endpoints; call once per store built. */
  public SuspectEndpoints suspectEndpoints() {
    return new SuspectEndpoints(healthMemory, endpoints());
  }

  /** For messages: "A ResilientDB store". */
  protected abstract String storeName();

  protected abstract S create();

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
