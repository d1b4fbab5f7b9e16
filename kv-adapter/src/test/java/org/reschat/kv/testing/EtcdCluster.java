package org.reschat.kv.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real etcd cluster of local processes, for tests and for trying the product: every member listens on
 * 127.0.0.1 only, on ports the OS reported free, with its data in a temporary directory. Members can be
 * killed with SIGKILL and started again on the same data. {@link #close()} kills every process this
 * object started (by its PID) and deletes the data.
 *
 * <p>Uses nothing but the JDK, so {@code scripts/etcd-cluster.sh} runs it with Java's single-file source
 * launcher. Tests first check {@link #installed()} and skip with {@link #NOT_INSTALLED} when it is false.
 */
public final class EtcdCluster implements AutoCloseable {
  private int maxRequestBytes = MAX_REQUEST_BYTES;
  private List<String> extraFlags = List.of();
  /** Why real-cluster tests were skipped, and what to do about it. */
  public static final String NOT_INSTALLED =
      "No etcd binary on PATH, so the real-cluster tests are skipped: install it with apt-get install etcd-server";

  /** Requests up to this size are accepted (etcd's default is 1.5 MiB); the store contract stores 4 MiB values. */
  /** etcd's own default request limit (1.5 MiB): room for the largest value a store accepts, base64-encoded. */
  public static final int MAX_REQUEST_BYTES = 3 * 512 * 1024;

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":\"(\\d+)\"");
  private static final Pattern LEADER = Pattern.compile("\"leader\":\"(\\d+)\"");

  private final Path dir;
  private final boolean ownsDir;
  private final Path etcd;
  private final List<Member> members = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private EtcdCluster(Path etcd, Path dir, boolean ownsDir) {
    this.etcd = etcd;
    this.dir = dir;
    this.ownsDir = ownsDir;
  }

  /** The {@code etcd} binary on PATH, if any. */
  public static Optional<Path> binary() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(entry, "etcd");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  public static boolean installed() {
    return binary().isPresent();
  }

  /** Starts {@code size} members in a new temporary directory and waits until every one is healthy. */
  public static EtcdCluster start(int size) {
    return start(size, MAX_REQUEST_BYTES);
  }

  /** As {@link #start(int)}, with members that refuse requests over {@code maxRequestBytes}. */
  public static EtcdCluster start(int size, int maxRequestBytes) {
    try {
      return start(size, Files.createTempDirectory("reschat-etcd-"), true, maxRequestBytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts {@code size} members with their data under {@code dir} and waits until every one is healthy.
   * The directory is deleted by {@link #close()} only when {@code deleteOnClose}.
   */
  public static EtcdCluster start(int size, Path dir, boolean deleteOnClose) {
    return start(size, dir, deleteOnClose, MAX_REQUEST_BYTES);
  }

  /** As {@link #start(int)}, with more etcd flags for every member, e.g. {@code --max-txn-ops 10}. */
  public static EtcdCluster startWithFlags(int size, String... flags) {
    try {
      return start(size, Files.createTempDirectory("reschat-etcd-"), true, MAX_REQUEST_BYTES, flags);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static EtcdCluster start(int size, Path dir, boolean deleteOnClose, int maxRequestBytes, String... flags) {
    Path etcd = binary().orElseThrow(() -> new IllegalStateException(NOT_INSTALLED));
    EtcdCluster cluster = new EtcdCluster(etcd, dir, deleteOnClose);
    cluster.maxRequestBytes = maxRequestBytes;
    cluster.extraFlags = List.of(flags);
    try {
      int[] ports = freePorts(2 * size);
      String token = "reschat-" + UUID.randomUUID();
      for (int i = 0; i < size; i++) {
        cluster.members.add(cluster.new Member(i, ports[2 * i], ports[2 * i + 1], token));
      }
      String initial = cluster.members.stream().map(m -> m.name + "=" + m.peerUrl()).collect(Collectors.joining(","));
      for (Member m : cluster.members) {
        m.initialCluster = initial;
        m.launch();
      }
      for (Member m : cluster.members) {
        cluster.awaitHealthy(m);
      }
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  public List<Member> members() {
    return List.copyOf(members);
  }

  public Member member(int index) {
    return members.get(index);
  }

  /** {@code etcd:URL,URL…} for {@code KvStores.open} and {@code --store}. */
  public String storeSpec() {
    return "etcd:" + members.stream().map(Member::clientUrl).collect(Collectors.joining(","));
  }

  public List<String> clientUrls() {
    return members.stream().map(Member::clientUrl).collect(Collectors.toList());
  }

  /**
   * The index of the member that is leader, as the running members see it; waits up to {@code maxWait}
   * for an election to finish.
   */
  public OptionalInt leader(Duration maxWait) {
    long deadline = System.nanoTime() + maxWait.toNanos();
    do {
      for (Member m : members) {
        if (!m.running()) {
          continue;
        }
        Optional<String> status = post(m, "/v3/maintenance/status", "{}");
        if (status.isEmpty()) {
          continue;
        }
        Matcher self = MEMBER_ID.matcher(status.get());
        Matcher leader = LEADER.matcher(status.get());
        if (self.find() && leader.find()) {
          String leaderId = leader.group(1);
          for (Member candidate : members) {
            if (candidate.running() && leaderId.equals(candidate.id())) {
              return OptionalInt.of(candidate.index);
            }
          }
        }
      }
      pause(Duration.ofMillis(100));
    } while (System.nanoTime() - deadline < 0);
    return OptionalInt.empty();
  }

  /** Deletes every key, through the first running member, so each test starts on an empty store. */
  public void deleteAllKeys() {
    Member m = members.stream().filter(Member::running).findFirst().orElseThrow();
    // key "\0" with range_end "\0" is every key
    if (post(m, "/v3/kv/deleterange", "{\"key\":\"AA==\",\"range_end\":\"AA==\"}").isEmpty()) {
      throw new IllegalStateException("etcd did not delete the keys; see " + m.log());
    }
  }

  /** Stores raw bytes under a key, as any other etcd client could (e.g. bytes that are not UTF-8). */
  public void rawPut(String key, byte[] value) {
    Member m = members.stream().filter(Member::running).findFirst().orElseThrow();
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
    String body = "{\"key\":\"" + b64.encodeToString(key.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        + "\",\"value\":\"" + b64.encodeToString(value) + "\"}";
    if (post(m, "/v3/kv/put", body).isEmpty()) {
      throw new IllegalStateException("etcd did not store " + key + "; see " + m.log());
    }
  }

  /**
   * What an operator does for a cluster whose database reached its quota: compacts all history, defragments
   * every running member and disarms the NOSPACE alarm.
   */
  public void compactDefragmentAndDisarm() {
    Member first = members.stream().filter(Member::running).findFirst().orElseThrow();
    String status = post(first, "/v3/maintenance/status", "{}").orElseThrow();
    Matcher revision = Pattern.compile("\"revision\":\"(\\d+)\"").matcher(status);
    if (!revision.find()) {
      throw new IllegalStateException("no revision in " + status);
    }
    post(first, "/v3/kv/compaction", "{\"revision\":\"" + revision.group(1) + "\",\"physical\":true}");
    for (Member m : members) {
      if (m.running()) {
        post(m, "/v3/maintenance/defragment", "{}");
        post(first, "/v3/maintenance/alarm", "{\"action\":\"DEACTIVATE\",\"memberID\":\"" + m.id() + "\",\"alarm\":\"NOSPACE\"}");
      }
    }
  }

  /** Starts every killed member again and waits until each is healthy. */
  public void restartStopped() {
    for (Member m : members) {
      if (!m.running()) {
        m.restart();
      }
    }
  }

  /** Waits until {@code member} answers {@code /health} with true. */
  public void awaitHealthy(Member member) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (!member.running()) {
        throw new IllegalStateException("etcd member " + member.name + " exited with " + member.process.exitValue()
            + "; see " + member.log());
      }
      try {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(member.clientUrl() + "/health"))
            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200 && answer.body().contains("\"true\"")) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for etcd", e);
      }
      pause(Duration.ofMillis(50));
    }
    throw new IllegalStateException("etcd member " + member.name + " was not healthy within " + START_TIMEOUT
        + "; see " + member.log());
  }

  /** Kills every member this cluster started (SIGKILL, by PID) and deletes the data it owns. */
  @Override
  public void close() {
    for (Member m : members) {
      m.kill();
    }
    if (ownsDir) {
      deleteTree(dir);
    }
  }

  private Optional<String> post(Member m, String path, String body) {
    try {
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(m.clientUrl() + path))
              .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      return answer.statusCode() == 200 ? Optional.of(answer.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** One etcd process (or its place, while killed). */
  public final class Member {
    private final int index;
    private final String name;
    private final int clientPort;
    private final int peerPort;
    private final String token;
    private String initialCluster;
    private Process process;
    private String id;

    private Member(int index, int clientPort, int peerPort, String token) {
      this.index = index;
      this.name = "m" + index;
      this.clientPort = clientPort;
      this.peerPort = peerPort;
      this.token = token;
    }

    public int index() {
      return index;
    }

    public String clientUrl() {
      return "http://127.0.0.1:" + clientPort;
    }

    String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }

    public Path log() {
      return dir.resolve(name + ".log");
    }

    public boolean running() {
      return process != null && process.isAlive();
    }

    /** The operating system's process id, while running. */
    public OptionalInt pid() {
      return running() ? OptionalInt.of((int) process.pid()) : OptionalInt.empty();
    }

    /** Kills the process with SIGKILL, as a crash or a power cut would, and waits until it is gone. */
    public void kill() {
      if (process == null) {
        return;
      }
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Starts the member again on its data directory and waits until it is healthy. */
    public void restart() {
      if (running()) {
        throw new IllegalStateException(name + " is running");
      }
      launch();
      awaitHealthy(this);
    }

    String id() {
      if (id == null) {
        post(this, "/v3/maintenance/status", "{}").ifPresent(status -> {
          Matcher m = MEMBER_ID.matcher(status);
          if (m.find()) {
            id = m.group(1);
          }
        });
      }
      return id;
    }

    private void launch() {
      List<String> command = new ArrayList<>(List.of(etcd.toString(),
          "--name", name,
          "--data-dir", dir.resolve(name).toString(),
          "--listen-client-urls", clientUrl(),
          "--advertise-client-urls", clientUrl(),
          "--listen-peer-urls", peerUrl(),
          "--initial-advertise-peer-urls", peerUrl(),
          "--initial-cluster", initialCluster,
          "--initial-cluster-token", token,
          "--initial-cluster-state", "new", // ignored once the data directory holds a member
          "--max-request-bytes", Integer.toString(maxRequestBytes),
          // As the README asks of a cluster for ResChat: an hour of history, then compacted.
          "--auto-compaction-mode", "periodic", "--auto-compaction-retention", "1h",
          "--quota-backend-bytes", Long.toString(8L << 30)));
      command.addAll(extraFlags);
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
      builder.environment().keySet().removeIf(k -> k.startsWith("ETCD")); // a user's ETCD_* would override flags
      try {
        Files.createDirectories(dir);
        process = builder.start();
      } catch (IOException e) {
        throw new UncheckedIOException("Could not start " + etcd, e);
      }
    }

    @Override
    public String toString() {
      return name + " " + clientUrl() + (running() ? " pid " + process.pid() : " (stopped)");
    }
  }

  private static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // closing a listening socket we own does not fail in practice
        }
      }
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory left behind is not a test failure
    }
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * {@code scripts/etcd-cluster.sh}: starts a cluster of {@code args[0]} members (3 by default) with data
   * under {@code args[1]} (a new temporary directory by default), prints the store spec, and stops the
   * members on Ctrl-C or end of input.
   */
  public static void main(String[] args) throws IOException {
    if (!installed()) {
      System.err.println(NOT_INSTALLED.replace(", so the real-cluster tests are skipped", ""));
      System.exit(1);
    }
    int size = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    boolean temporary = args.length < 2;
    Path dir = temporary ? Files.createTempDirectory("reschat-etcd-") : Path.of(args[1]).toAbsolutePath();
    EtcdCluster cluster = start(size, dir, temporary);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    for (Member m : cluster.members) {
      System.err.println("started " + m + ", log " + m.log());
    }
    System.err.println("data in " + dir + (temporary ? " (deleted on exit)" : "") + "; Ctrl-C or Ctrl-D stops the cluster");
    System.out.println(cluster.storeSpec());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for end of input
    }
    System.exit(0);
  }
}
