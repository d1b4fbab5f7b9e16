package org.reschat.kv;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import okhttp3.HttpUrl;
import org.reschat.kv.embedded.EmbeddedStore;
import org.reschat.kv.etcd.EtcdStore;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.resilientdb.ResilientDbStore;

/**
 * Opens a store from a one-line spec:
 * <ul>
 *   <li>{@code embedded:PATH}: a SQLite ledger file (created if missing), the default;</li>
 *   <li>{@code resilientdb:http://HOST:18000[,http://HOST2:18000…]}: ResilientDB's HTTP KV service;</li>
 *   <li>{@code etcd:http://HOST:2379[,http://HOST2:2379…]}: an etcd v3 cluster, through its JSON gateway;</li>
 *   <li>{@code memory:}: in this process only.</li>
 * </ul>
 */
public final class KvStores {
  static final String VALID_FORMS = "Valid stores are embedded:PATH (a local SQLite file), "
      + "resilientdb:http://HOST:18000[,http://HOST2:18000...] (ResilientDB's KV service), "
      + "etcd:http://HOST:2379[,http://HOST2:2379...] (an etcd v3 cluster) and memory: (this process only)";

  private KvStores() {}

  public static KvStore open(String spec) throws KvException {
    return open(spec, StoreOptions.defaults());
  }

  /** Opens the store {@code spec} names, remembering nothing of failing endpoints beyond it. */
  public static KvStore open(String spec, StoreOptions options) throws KvException {
    return open(spec, options, EndpointHealthMemory.NONE);
  }

  /**
   * Opens the store {@code spec} names; a ResilientDB or etcd store shares what it learns of failing
   * endpoints through {@code healthMemory} (the other kinds have no endpoints and ignore it).
   *
   * @throws InvalidStoreSpecException when the spec is malformed; its message lists the valid forms
   * @throws KvStorageException when an embedded file cannot be opened or is not a store
   */
  public static KvStore open(String spec, StoreOptions options, EndpointHealthMemory healthMemory) throws KvException {
    if (spec == null || spec.isBlank()) {
      throw new InvalidStoreSpecException("No store given");
    }
    String trimmed = spec.strip();
    int colon = trimmed.indexOf(':');
    String kind = colon < 0 ? trimmed : trimmed.substring(0, colon);
    String rest = colon < 0 ? "" : trimmed.substring(colon + 1);
    switch (kind) {
      case "memory":
        if (!rest.isEmpty()) {
          throw new InvalidStoreSpecException("The memory store takes no argument, but got \"" + rest + "\"");
        }
        return new MemoryKvStore();
      case "embedded":
        return EmbeddedStore.open(embeddedPath(rest));
      case "resilientdb":
        return ResilientDbStore.builder().endpoints(resilientDbEndpoints(rest)).options(options)
            .healthMemory(healthMemory).build();
      case "etcd":
        return EtcdStore.builder().endpoints(endpoints("etcd", "http://127.0.0.1:2379", rest)).options(options)
            .healthMemory(healthMemory).build();
      default:
        throw new InvalidStoreSpecException("Unknown store \"" + trimmed + "\"");
    }
  }

  static Path embeddedPath(String rest) {
    if (rest.isBlank()) {
      throw new InvalidStoreSpecException("The embedded store needs a file path, as in embedded:/path/to/ledger.db");
    }
    Path path;
    try {
      path = Path.of(rest).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new InvalidStoreSpecException("\"" + rest + "\" is not a usable file path");
    }
    if (java.nio.file.Files.isDirectory(path)) {
      throw new InvalidStoreSpecException("embedded:" + rest + " is a directory; the embedded store is a file, as in embedded:"
          + path.resolve("ledger.db"));
    }
    return path;
  }

  static List<HttpUrl> resilientDbEndpoints(String rest) {
    return endpoints("resilientdb", "http://127.0.0.1:18000", rest);
  }

  private static List<HttpUrl> endpoints(String kind, String example, String rest) {
    if (rest.isBlank()) {
      throw new InvalidStoreSpecException("The " + kind + " store needs at least one URL, as in " + kind + ":" + example);
    }
    List<HttpUrl> urls = new ArrayList<>();
    for (String part : rest.split(",", -1)) {
      String text = part.strip();
      HttpUrl url = HttpUrl.parse(text);
      java.util.regex.Matcher port = java.util.regex.Pattern.compile("^https?://[^/]*:(\\d+)(/.*)?$").matcher(text);
      if (url == null && port.matches() && (port.group(1).length() > 5 || Integer.parseInt(port.group(1)) > 65535
          || Integer.parseInt(port.group(1)) == 0)) {
        throw new InvalidStoreSpecException("In \"" + text + "\", " + port.group(1) + " is not a port number (1 to 65535)");
      }
      if (url == null) {
        throw new InvalidStoreSpecException("\"" + text + "\" is not an http:// or https:// URL");
      }
      if (url.query() != null || url.fragment() != null) {
        throw new InvalidStoreSpecException("The endpoint \"" + text + "\" must not have a query or fragment");
      }
      if (urls.contains(url)) {
        throw new InvalidStoreSpecException("The endpoint \"" + text + "\" is listed twice");
      }
      urls.add(url);
    }
    return urls;
  }
}
