package org.reschat.kv.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonSyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import okhttp3.HttpUrl;

/**
 * A ResilientDB KV service emulated on WireMock, speaking the exact HTTP contract of DESIGN.md §2, for
 * tests that cannot run the real cluster (it needs Docker or Bazel). Each {@link Node} is a WireMock
 * server standing for one HTTP endpoint; all nodes share one ledger, as endpoints of one cluster do.
 *
 * <p>Faults come two ways. Raw HTTP faults (500 storms, resets, slow answers, HTML pages) are ordinary
 * WireMock stubs a test adds to {@link Node#server()} at a priority above {@link #EMULATOR_PRIORITY}.
 * Consensus faults are switches here: commits acknowledged but never applied ({@link #dropCommits}),
 * commits that become visible only later ({@link #visibilityDelay}), and requests that overlap on one
 * endpoint failing each other ({@link Node#failOverlapping}), which the real service does.
 */
public final class ResilientDbCluster implements AutoCloseable {
  /** Priority of the emulator's own stubs; WireMock prefers lower numbers, so fault stubs use 1..9. */
  public static final int EMULATOR_PRIORITY = 10;

  private final Map<String, List<Version>> ledger = new ConcurrentHashMap<>();
  private final List<Node> nodes = new ArrayList<>();
  private final AtomicInteger commits = new AtomicInteger();
  private final AtomicInteger reads = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile boolean dropCommits;
  private volatile Duration visibilityDelay = Duration.ZERO;

  private record Version(String body, long visibleAtNanos) {}

  private final boolean blockUpdates;

  private ResilientDbCluster(boolean blockUpdates) {
    this.blockUpdates = blockUpdates;
  }

  /** Starts {@code nodeCount} endpoints on loopback ports chosen by the OS. */
  public static ResilientDbCluster start(int nodeCount) {
    return start(nodeCount, false);
  }

  /**
   * Starts {@code nodeCount} endpoints that also serve the WebSocket {@code /blockupdatelistener} on the
   * same port, which pushes the text {@code Update blocks} after each transaction the endpoint commits,
   * as ResilientDB's HTTP service does. The HTTP routes pass through an in-process front (see
   * {@link BlockUpdateFront}) to WireMock, so fault stubs work as with {@link #start(int)}.
   */
  public static ResilientDbCluster startWithBlockUpdates(int nodeCount) {
    return start(nodeCount, true);
  }

  private static ResilientDbCluster start(int nodeCount, boolean blockUpdates) {
    ResilientDbCluster cluster = new ResilientDbCluster(blockUpdates);
    try {
      for (int i = 0; i < nodeCount; i++) {
        cluster.nodes.add(cluster.new Node(i));
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  public Node node(int index) {
    return nodes.get(index);
  }

  /** {@code resilientdb:URL,URL…} for {@code KvStores.open}. */
  public String storeSpec() {
    return "resilientdb:" + nodes.stream().map(Node::url).collect(Collectors.joining(","));
  }

  public List<HttpUrl> urls() {
    return nodes.stream().map(n -> HttpUrl.get(n.url())).collect(Collectors.toList());
  }

  /** Acknowledge commits with 201 but never apply them, like a cluster whose primary is down. */
  public void dropCommits(boolean drop) {
    this.dropCommits = drop;
  }

  /** Apply commits only this long after they are acknowledged, like consensus catching up. */
  public void visibilityDelay(Duration delay) {
    this.visibilityDelay = delay;
  }

  /** Writes a raw body under a key, as any other client of the ledger could. */
  public void rawPut(String key, String body) {
    ledger.computeIfAbsent(key, k -> new ArrayList<>());
    List<Version> versions = ledger.get(key);
    synchronized (versions) {
      versions.add(new Version(body, System.nanoTime()));
    }
  }

  /** The newest visible raw body under a key. */
  public Optional<String> rawBody(String key) {
    List<Version> versions = ledger.get(key);
    if (versions == null) {
      return Optional.empty();
    }
    long now = System.nanoTime();
    synchronized (versions) {
      for (int i = versions.size() - 1; i >= 0; i--) {
        if (now - versions.get(i).visibleAtNanos >= 0) {
          return Optional.of(versions.get(i).body);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * True when every write applied so far is visible, i.e. none waits out a {@link #visibilityDelay}: what a
   * test polls for instead of sleeping for the delay.
   */
  public boolean everyWriteVisible() {
    long now = System.nanoTime();
    for (List<Version> versions : ledger.values()) {
      synchronized (versions) {
        for (Version v : versions) {
          if (now - v.visibleAtNanos < 0) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** POSTs to the commit route that reached the emulator, over all nodes. */
  public int commits() {
    return commits.get();
  }

  /** The most requests the whole cluster ever worked on at once, over all nodes. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  /** GETs of a key that reached the emulator, over all nodes. */
  public int reads() {
    return reads.get();
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      node.stop();
    }
  }

  /** One HTTP endpoint of the cluster. */
  public final class Node {
    private final WireMockServer server;
    private final BlockUpdateFront front;
    private final String transformerName;
    private final int port;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile boolean failOverlapping;
    private volatile Duration processingTime = Duration.ZERO;

    private Node(int index) {
      this.transformerName = "resilientdb-" + index;
      server = new WireMockServer(wireMockConfig()
          .dynamicPort()
          .bindAddress("127.0.0.1")
          .containerThreads(24)
          .extensions(new Emulator()));
      server.start();
      try {
        front = blockUpdates ? new BlockUpdateFront(server.port()) : null;
      } catch (java.io.IOException e) {
        server.stop();
        throw new java.io.UncheckedIOException(e);
      }
      port = front != null ? front.port() : server.port();
      resetToContract();
    }

    public WireMockServer server() {
      return server;
    }

    /** Base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
      return "http://127.0.0.1:" + port;
    }

    /** Removes every fault stub and serves the plain contract again. */
    public void resetToContract() {
      server.resetAll();
      server.stubFor(post(urlPathEqualTo("/v1/transactions/commit")).atPriority(EMULATOR_PRIORITY)
          .willReturn(aResponse().withTransformers(transformerName)));
      server.stubFor(get(urlPathMatching("/v1/transactions/[^/]+")).atPriority(EMULATOR_PRIORITY)
          .willReturn(aResponse().withTransformers(transformerName)));
    }

    /** Every answer of the emulator on this node waits this long first (a WireMock fixed delay). */
    public void responseDelay(Duration delay) {
      server.resetAll();
      int millis = Math.toIntExact(delay.toMillis());
      server.stubFor(post(urlPathEqualTo("/v1/transactions/commit")).atPriority(EMULATOR_PRIORITY)
          .willReturn(aResponse().withTransformers(transformerName).withFixedDelay(millis)));
      server.stubFor(get(urlPathMatching("/v1/transactions/[^/]+")).atPriority(EMULATOR_PRIORITY)
          .willReturn(aResponse().withTransformers(transformerName).withFixedDelay(millis)));
    }

    /** Answer 500 to a request that arrives while another is in flight here, as the real service may. */
    public void failOverlapping(boolean fail) {
      this.failOverlapping = fail;
    }

    /** Time the emulator spends on each request before answering (held while counted as in flight). */
    public void processingTime(Duration time) {
      this.processingTime = time;
    }

    /** The most requests this node ever worked on at once. */
    public int maxInFlight() {
      return maxInFlight.get();
    }

    /** Requests of the KV routes that reached this node, counted on arrival (before any response delay). */
    public int requests() {
      return requests.get();
    }

    /** Requests that arrived while this node was working on another. */
    public int overlaps() {
      return overlaps.get();
    }

    /** Stops the server: connections to its port are then refused. */
    public void stop() {
      if (front != null) {
        front.close();
      }
      if (server.isRunning()) {
        server.stop();
      }
    }

    /** Block-update WebSocket listeners connected now (0 without {@link #startWithBlockUpdates}). */
    public int blockUpdateListeners() {
      return front == null ? 0 : front.listeners();
    }

    /** Drops every block-update listener and, while set, refuses new ones with 503. */
    public void refuseBlockUpdates(boolean refuse) {
      if (front != null) {
        front.refuseListeners(refuse);
      }
    }

    private void blockUpdated() {
      if (front != null) {
        front.broadcast("Update blocks");
      }
    }

    private final class Emulator implements ResponseDefinitionTransformerV2 {
      @Override
      public ResponseDefinition transform(ServeEvent event) {
        // Requests count as in flight while the service works on them, as the real one does with its single
        // connection to the cluster; a client that gives up early does not leave a request counted forever.
        requests.incrementAndGet();
        int now = inFlight.incrementAndGet();
        ResilientDbCluster.this.maxInFlight.accumulateAndGet(ResilientDbCluster.this.inFlight.incrementAndGet(), Math::max);
        try {
          maxInFlight.accumulateAndGet(now, Math::max);
          if (now > 1) {
            overlaps.incrementAndGet();
            if (failOverlapping) {
              return ResponseDefinitionBuilder.like(event.getResponseDefinition()).withStatus(500)
                  .withHeader("Content-Type", "text/plain").withBody("get value fail").build();
            }
          }
          sleep(processingTime);
          return serve(event);
        } finally {
          inFlight.decrementAndGet();
          ResilientDbCluster.this.inFlight.decrementAndGet();
        }
      }

      private ResponseDefinition serve(ServeEvent event) {
        ResponseDefinitionBuilder answer = ResponseDefinitionBuilder.like(event.getResponseDefinition());
        String method = event.getRequest().getMethod().getName();
        String path = event.getRequest().getUrl().replaceFirst("\\?.*$", "");
        if (method.equals("POST") && path.equals("/v1/transactions/commit")) {
          commits.incrementAndGet();
          return commit(answer, event.getRequest().getBodyAsString());
        }
        if (method.equals("GET") && path.startsWith("/v1/transactions/")) {
          reads.incrementAndGet();
          String key = path.substring("/v1/transactions/".length()); // never percent-decoded, as in ResilientDB
          return answer.withStatus(200).withHeader("Content-Type", "application/json")
              .withBody(rawBody(key).orElse("")).build();
        }
        return answer.withStatus(404).withBody("").build();
      }

      private ResponseDefinition commit(ResponseDefinitionBuilder answer, String body) {
        String id;
        try {
          JsonElement parsed = JsonParser.parseString(body);
          JsonElement idElement = parsed.isJsonObject() ? ((JsonObject) parsed).get("id") : null;
          if (!(idElement instanceof JsonPrimitive) || !((JsonPrimitive) idElement).isString()) {
            return invalid(answer);
          }
          id = idElement.getAsString();
        } catch (JsonSyntaxException e) {
          return invalid(answer);
        }
        if (!dropCommits) {
          List<Version> versions = ledger.computeIfAbsent(id, k -> new ArrayList<>());
          synchronized (versions) {
            versions.add(new Version(body, System.nanoTime() + visibilityDelay.toNanos()));
          }
        }
        blockUpdated(); // the service pushes after each transaction call it handled
        return answer.withStatus(201).withHeader("Content-Type", "text/plain")
            .withBody(("id: " + id).getBytes(StandardCharsets.UTF_8)).build();
      }

      private ResponseDefinition invalid(ResponseDefinitionBuilder answer) {
        return answer.withStatus(400).withHeader("Content-Type", "text/plain").withBody("Invalid transaction format").build();
      }

      @Override
      public boolean applyGlobally() {
        return false;
      }

      @Override
      public String getName() {
        return transformerName;
      }
    }
  }

  private static void sleep(Duration d) {
    if (d.isZero()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
