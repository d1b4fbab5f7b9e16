package org.reschat.cli.bench;

import org.reschat.core.ChatId;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.reschat.core.ChatClient;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.kv.KvStore;

/**
 * The figures {@code reschat bench} prints: the costs of the hot paths on this machine and the store.
 * Every timing is a median over repeated runs after a warm-up; every count is measured, not assumed.
 * Writes test data under fresh, throwaway identities and a {@code reschat.bench.*} key prefix.
 */
public final class Bench {
  /** A message of 100 characters, like the ones ResChat's figures were measured with. */
  static final String HUNDRED = "Hundred characters of plain chat text, the kind people type to each other all day long, go!!!!!!!!!!";

  private final KvStore store;
  private final int rounds;
  private final Consumer<String> progress;
  private final SecureRandom random = new SecureRandom();

  public Bench(KvStore store, int rounds, Consumer<String> progress) {
    if (HUNDRED.length() != 100) {
      throw new IllegalStateException("the benchmark message must be 100 characters");
    }
    this.store = store;
    this.rounds = rounds;
    this.progress = progress;
  }

  /** Runs everything; the keys are the documented field names, in order. */
  public Map<String, Number> run() throws Exception {
    Map<String, Number> out = new LinkedHashMap<>();
    Identity alice = Identity.generate(random);
    Identity bob = Identity.generate(random);
    // A direct chat where both read version 4 and the epoch is open (protocol §4.7): open tails tagged, full pages signed.
    Conversation ab = Conversation.pair(alice, bob.card()).withTails(new org.reschat.core.internal.conversation.TailRule(true, true));
    Conversation ba = Conversation.pair(bob, alice.card());
    String key = ab.pageKey(ab.myFeed(), 1);

    progress.accept("sealing, signing and opening pages");
    List<Double> sendMicros = new ArrayList<>();
    Page full = null;
    org.reschat.core.spi.FeedId alicesFeed = ba.feed(ba.indexOf(alice.card()));
    // Warm-up counted in iterations until the JIT is quiet, not in seconds (see Measure).
    List<Double> sendV3Micros = new ArrayList<>();
    Conversation abV3 = Conversation.pair(alice, bob.card()); // every version signed: groups, and chats until both read 4
    PageWriter[] warmWriters = {new PageWriter(ab), new PageWriter(abV3)}; // both paths: the tag's and the signature's
    Page[] warmPage = {null, null};
    int[] turn = {0};
    Measure.warm(5_000, 40_000, () -> {
      int w = turn[0]++ & 1;
      warmPage[w] = warmPage[w] == null || warmPage[w].isFull() ? null : warmPage[w];
      warmPage[w] = warmWriters[w].append(warmPage[w], List.of(), draft(1));
      Envelope.seal(ab, key, warmPage[w]);
    });
    for (int round = 0; round < rounds; round++) {
      full = sendPage(new PageWriter(ab), ab, key, sendMicros);
      sendPage(new PageWriter(abV3), abV3, key, sendV3Micros);
    }
    // What a direct chat's send does per message since slot records (protocol §4.8): its record, not the tail page.
    Conversation ab5 = Conversation.pair(alice, bob.card())
        .withTails(new org.reschat.core.internal.conversation.TailRule(true, true, true));
    Measure.warm(1_000, 10_000, () -> sendRecords(ab5, key, new ArrayList<>()));
    List<Double> recordMicros = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      sendRecords(ab5, key, recordMicros);
    }
    String fullValue = Envelope.seal(ab, key, full);
    Measure.warm(1_000, 10_000, () -> {
      Page parsed = PageVerifier.openAndVerify(ba, alicesFeed, 1, key, fullValue);
      for (int i = 0; i < parsed.slots().size(); i++) {
        SlotSeal.open(ba, alicesFeed, parsed, i);
      }
    });
    List<Double> openMicros = new ArrayList<>();
    for (int run = 0; run < Math.max(rounds, 20); run++) {
      long start = Measure.threadCpu();
      Page parsed = PageVerifier.openAndVerify(ba, alicesFeed, 1, key, fullValue);
      for (int i = 0; i < parsed.slots().size(); i++) {
        SlotSeal.open(ba, alicesFeed, parsed, i);
      }
      openMicros.add((Measure.threadCpu() - start) / 1e3);
    }
    out.put("send_cpu_us_per_message", round1(median(sendMicros)));
    out.put("send_cpu_us_per_message_v3", round1(median(sendV3Micros)));
    out.put("record_send_cpu_us_per_message", round1(median(recordMicros)));
    out.put("open_page_us", round1(median(openMicros)));
    out.put("full_page_bytes", fullValue.getBytes(StandardCharsets.UTF_8).length);

    progress.accept("whole sends and receives through the engine");
    wholeSendAndReceive(out);
    profileSends(out, store);

    progress.accept("sending through " + store.describe());
    CountingKvStore counting = new CountingKvStore(store);
    Identity carol = Identity.generate(random);
    Identity dave = Identity.generate(random);
    try (ChatClient sender = client(carol, counting); ChatClient reader = client(dave, counting)) {
      bothShowRecords(sender, carol, reader, dave);
      CountingKvStore.Counts before = counting.counts();
      for (int i = 0; i < 20; i++) {
        sender.send(ChatId.direct(dave.card()), HUNDRED);
      }
      out.put("ledger_bytes_per_20_messages", counting.counts().minus(before).bytesWritten());
      int steady = 20;
      before = counting.counts();
      for (int i = 0; i < steady; i++) {
        sender.send(ChatId.direct(dave.card()), HUNDRED);
      }
      CountingKvStore.Counts perSend = counting.counts().minus(before);
      out.put("kv_writes_per_send", round2((double) perSend.writes() / steady));
      out.put("kv_reads_per_send", round2((double) perSend.reads() / steady));

      progress.accept("loading pages");
      for (int i = 0; i < 160; i++) { // ten pages in all
        sender.send(ChatId.direct(dave.card()), HUNDRED);
      }
      // A copy of the reader's device that holds none of it (the reader itself followed the records page by page).
      try (ChatClient fresh = client(dave, counting)) {
        fresh.history(ChatId.direct(carol.card()), HistoryRequest.newest(1)); // finds the newest page
        before = counting.counts();
        History newest = fresh.history(ChatId.direct(carol.card()), HistoryRequest.newest(1)); // read by every call
        // Requests, a batch counting once: a history's first reads of a direct chat go out as one batch.
        long overhead = counting.counts().minus(before).readRequests();
        before = counting.counts();
        History every = fresh.history(ChatId.direct(carol.card()), HistoryRequest.all()); // plus the older pages
        long all = counting.counts().minus(before).readRequests();
        long older = pagesOf(every, carol) - pagesOf(newest, carol); // the pages the last call loaded
        out.put("kv_reads_per_page_load", round2((double) (all - overhead) / older));
      }

      progress.accept("checking message requests");
      reader.requests().pending(List.of()); // the first check (carol's request is posted by her next call)
      List<Double> checkMs = new ArrayList<>();
      before = counting.counts();
      for (int i = 0; i < 10; i++) {
        long start = System.nanoTime();
        reader.requests().pending(List.of(carol.card())); // a check: 'requests', and 'receive' every 10-20 minutes
        checkMs.add((System.nanoTime() - start) / 1e6);
      }
      out.put("kv_reads_per_request_check", round2(counting.counts().minus(before).reads() / 10.0));
      out.put("request_check_ms", round2(median(checkMs)));

      progress.accept("sends beside raw puts");
      storeSendPerPut(out, sender, dave.card(), fullValue);
    }

    progress.accept("loading a 1,000-message conversation");
    out.put("history_1000_ms", round1(history1000(counting)));

    progress.accept("timing the store");
    String value = fullValue;
    String prefix = "reschat.bench." + Long.toHexString(random.nextLong()) + ".";
    List<Double> putMs = new ArrayList<>();
    List<Double> getMs = new ArrayList<>();
    for (int i = 0; i < Math.max(10, rounds); i++) {
      long start = System.nanoTime();
      store.put(prefix + i, value);
      putMs.add((System.nanoTime() - start) / 1e6);
    }
    for (int i = 0; i < Math.max(10, rounds); i++) {
      long start = System.nanoTime();
      store.get(prefix + i);
      getMs.add((System.nanoTime() - start) / 1e6);
    }
    out.put("store_put_ms", round2(median(putMs)));
    out.put("store_get_ms", round2(median(getMs)));

    progress.accept("group chat");
    out.put("group_send_cpu_us_10", round1(groupSendMicros(10)));
    out.put("group_send_cpu_us_50", round1(groupSendMicros(50)));
    out.put("group_record_send_cpu_us_10", round1(groupSendMicros(10, true)));
    out.put("group_record_send_cpu_us_50", round1(groupSendMicros(50, true)));
    out.put("group_ledger_bytes_per_20_messages", groupLedgerBytes(counting));
    out.put("self_ledger_bytes_per_20_changes", selfLedgerBytes(store));
    wholeGroupSendAndReceive(out, 10);
    wholeGroupSendAndReceive(out, 50);
    talkingGroupReceive(out, 50);
    groupChange(out);
    out.put("group_history_ms", round1(groupHistory(counting, out)));

    progress.accept("receiving for 300 friends and 20 groups");
    new EngineBench().run(store, out);
    progress.accept("receiving after a revocation, 30 friends");
    new RevocationBench().run(out, (s, to, r, from) -> sendAndReceive(s, to, r, from, 300, 3_000));
    return out;
  }

  /** Twenty messages into a page, each timed (seal the slot, tag or sign, seal the page); returns the full page. */
  private Page sendPage(PageWriter writer, Conversation c, String key, List<Double> micros) throws Exception {
    Page page = null;
    for (int i = 0; i < 20; i++) {
      long start = Measure.threadCpu();
      page = writer.append(page, List.of(), draft(i));
      Envelope.seal(c, key, page);
      micros.add((Measure.threadCpu() - start) / 1e3);
    }
    return page;
  }

  /**
   * A page of twenty messages written as slot records (protocol §4.8), one sample a page: each message sealed into its
   * slot, its record tagged and sealed; the page closing them signed and sealed once, its cost spread over them.
   */
  private void sendRecords(Conversation c, String key, List<Double> micros) throws Exception {
    org.reschat.core.internal.page.RecordWriter writer = new org.reschat.core.internal.page.RecordWriter(c);
    List<org.reschat.core.internal.page.SlotRecord> open = new ArrayList<>();
    long start = Measure.threadCpu();
    for (int i = 0; i < 20; i++) {
      org.reschat.core.internal.page.SlotRecord r = writer.append(1, null, open, List.of(), draft(i)).orElseThrow();
      writer.seal(r);
      open.add(r);
    }
    Envelope.seal(c, key, writer.close(open));
    micros.add((Measure.threadCpu() - start) / 1e3 / 20);
  }

  /**
   * The whole {@code ChatClient.send} of a direct message on a memory store and memory state
   * ({@code full_send_cpu_us}: what the engine adds to {@code send_cpu_us_per_message}), and the
   * {@code update} that receives it on the other side ({@code live_receive_cpu_us}), alternating, both in
   * CPU time ({@link #sendAndReceive}).
   */
  private void wholeSendAndReceive(Map<String, Number> out) throws Exception {
    org.reschat.kv.memory.MemoryKvStore memory = new org.reschat.kv.memory.MemoryKvStore();
    Identity a = Identity.generate(random);
    Identity b = Identity.generate(random);
    ChatId toB = ChatId.direct(b.card());
    ChatId toA = ChatId.direct(a.card());
    try (ChatClient sender = client(a, memory); ChatClient receiver = client(b, memory)) {
      receiver.send(toA, HUNDRED); // both feeds exist, as in any conversation under way
      sender.update(toB);
      receiver.update(toA); // each has read the other's notice: both read version 4 (protocol §4.7)
      sender.update(toB);
      double[] medians = sendAndReceive(sender, toB, receiver, toA, 2_000, 20_000);
      out.put("full_send_cpu_us", round1(medians[0]));
      out.put("live_receive_cpu_us", round1(medians[1]));
    }
  }

  /**
   * The same in a group of {@code n} (memory store and state) whose members are all clients that read the group
   * once, so every device has shown it reads records and a send is one signed record (protocol §4.9): the whole
   * {@code ChatClient.send} into it ({@code group_full_send_cpu_us_N}: what the engine adds to
   * {@code group_record_send_cpu_us_N}) and a member's {@code update} that receives it ({@code group_live_receive_cpu_us_N}).
   */
  private void wholeGroupSendAndReceive(Map<String, Number> out, int n) throws Exception {
    double[] medians = groupSendAndReceive(n, false, true);
    out.put("group_full_send_cpu_us_" + n, round1(medians[0]));
    out.put("group_live_receive_cpu_us_" + n, round1(medians[1]));
  }

  /**
   * A member's live receive in a group of {@code n} where every member has written a message (in a real group everyone
   * talks: each feed holds a page of messages, and the sender's page carries a head for each):
   * {@code group_talking_live_receive_cpu_us_N} on records, and {@code group_talking_page_receive_cpu_us_N} in the
   * same group on pages, one member a client that does not read records (protocol §4.9), for comparison.
   */
  private void talkingGroupReceive(Map<String, Number> out, int n) throws Exception {
    out.put("group_talking_live_receive_cpu_us_" + n, round1(groupSendAndReceive(n, true, true)[1]));
    out.put("group_talking_page_receive_cpu_us_" + n, round1(groupSendAndReceive(n, true, false)[1]));
  }

  /**
   * {@link #sendAndReceive} in a new group of {@code n} on a memory store: its sender's sends and the first member's
   * receives. Every member has written a message first where {@code talking}; the group is on records where
   * {@code records}, else its last member behaves as a client that does not read them, so every feed stays on pages.
   */
  private double[] groupSendAndReceive(int n, boolean talking, boolean records) throws Exception {
    org.reschat.kv.memory.MemoryKvStore memory = new org.reschat.kv.memory.MemoryKvStore();
    List<ChatClient> members = new ArrayList<>();
    try (ChatClient sender = client(Identity.generate(random), memory)) {
      for (int i = 1; i < n; i++) {
        members.add(client(Identity.generate(random), memory));
      }
      groups(members.get(n - 2)).showsRecords(records);
      ChatId.Group group = groupReadingRecords("bench " + n, sender, members);
      ChatClient receiver = members.get(0);
      if (talking) {
        for (ChatClient m : members) {
          m.send(group, HUNDRED);
        }
        sender.update(group); // its page carries a head for each member
        receiver.update(group);
      }
      return sendAndReceive(sender, group, receiver, group, 300, 3_000);
    } finally {
      for (ChatClient m : members) {
        m.close();
      }
    }
  }

  /**
   * A group {@code creator} makes of {@code members}, each its friend first (the invitation comes in their direct
   * chat), in which every device has read the group once, so each has written its notice that it reads records and
   * the creator has read them all (protocol §4.9).
   */
  private static ChatId.Group groupReadingRecords(String name, ChatClient creator, List<ChatClient> members)
      throws Exception {
    for (ChatClient m : members) {
      m.send(ChatId.direct(creator.card()), HUNDRED);
      creator.update(ChatId.direct(m.card()));
    }
    ChatId.Group group = creator.groups().create(name, members.stream().map(ChatClient::card).toList());
    for (ChatClient m : members) {
      m.update(ChatId.direct(creator.card())); // takes the invitation
      m.update(group); // writes its notice
    }
    creator.update(group); // writes its own, reads the others'
    return group;
  }

  /**
   * Medians of the CPU of {@code sender}'s sends to {@code to} and of {@code receiver}'s {@code update} of {@code from}
   * that receives each, alternating, after warming both up. The receive runs partly on the engine's pools, so it is
   * measured over every thread, less the sends in between (measured on their own thread).
   */
  private double[] sendAndReceive(ChatClient sender, ChatId to, ChatClient receiver, ChatId from, int warmMin,
      int warmMax) throws Exception {
    Measure.warm(warmMin, warmMax, () -> {
      sender.send(to, HUNDRED);
      receiver.update(from);
    });
    List<Double> send = new ArrayList<>();
    List<Double> receive = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      long sendNanos = 0;
      long all = Measure.allThreadsCpu();
      for (int i = 0; i < 20; i++) { // a whole page: the cost of a send changes as its tail fills
        long start = Measure.threadCpu();
        sender.send(to, HUNDRED);
        long took = Measure.threadCpu() - start;
        sendNanos += took;
        send.add(took / 1e3);
        if (receiver.update(from).received().size() != 1) {
          throw new IllegalStateException("the receiver did not get exactly the one new message");
        }
      }
      receive.add((Measure.allThreadsCpu() - all - sendNanos) / 20e3);
    }
    return new double[] {median(send), median(receive)};
  }

  /**
   * The whole send on the bench's store with the state in memory ({@code store_send_ms}: the store's share of a
   * send, no profile files), each followed by one raw put of a full page: interleaved, so both meet the same
   * load on a shared machine, and {@code store_send_per_put} (the ratio of their medians) is a send's cost in puts.
   */
  private void storeSendPerPut(Map<String, Number> out, ChatClient sender, org.reschat.core.identity.PublicCard to, String page) throws Exception {
    String prefix = "reschat.bench.beside." + Long.toHexString(random.nextLong()) + ".";
    List<Double> sendMs = new ArrayList<>();
    List<Double> putMs = new ArrayList<>();
    for (int i = 0; i < Math.max(20, rounds); i++) {
      long start = System.nanoTime();
      sender.send(ChatId.direct(to), HUNDRED);
      sendMs.add((System.nanoTime() - start) / 1e6);
      start = System.nanoTime();
      store.put(prefix + i, page);
      putMs.add((System.nanoTime() - start) / 1e6);
    }
    out.put("store_send_ms", round2(median(sendMs)));
    out.put("store_send_per_put", round2(median(sendMs) / median(putMs)));
  }

  /**
   * Sends with the CLI's on-disk profile state ({@code FileLocalState}) in a direct chat where both people's clients
   * have shown they read slot records ({@link #bothShowRecords}): the path a chat between current clients takes, one
   * record a message (protocol §4.8). The same figures, suffixed {@code _pages}, for a chat whose reader never showed
   * it reads records (the page path, what these figures measured before issue 24), for comparison.
   */
  private void profileSends(Map<String, Number> out, KvStore target) throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("reschat-bench-profile-");
    try {
      profileSends(out, target, dir.resolve("records"), true, "");
      profileSends(out, target, dir.resolve("pages"), false, "_pages");
    } finally {
      try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * On a memory store, the CPU of the whole send ({@code full_send_profile_cpu_us}); on the bench's store (the
   * embedded ledger by default), the fsyncs of the profile per send (those of the store are its own: one commit,
   * {@code kv_writes_per_send}) and the wall time of a send ({@code profile_send_ms}), which waits for the profile's
   * fsyncs and the store's, each followed by one raw put of the very value the send wrote ({@code profile_put_ms}):
   * interleaved, so the ratio ({@code profile_send_put_ratio}) is a send's cost in fsync'd inserts of the same value.
   * The fsyncs are counted over at least {@link #PROFILE_COUNTED_SENDS} sends, past the timed ones: a compaction of
   * the profile's logs comes every few hundred or thousand sends, and a count over fewer would leave it out.
   */
  private void profileSends(Map<String, Number> out, KvStore target, java.nio.file.Path dir, boolean records,
      String suffix) throws Exception {
    Identity a = Identity.generate(random);
    Identity b = Identity.generate(random);
    org.reschat.kv.memory.MemoryKvStore memory = new org.reschat.kv.memory.MemoryKvStore();
    org.reschat.localdb.Profile profile = org.reschat.localdb.Profile.open(dir.resolve("a"));
    try (ChatClient sender = ChatClient.builder().identity(a).store(memory).localState(profile.state()).build();
        ChatClient receiver = client(b, memory)) {
      begin(sender, a, receiver, b, records);
      // Fewer: each may wait for fsyncs, and the engine's code is compiled already by the sends above.
      Measure.warm(300, 2_000, () -> sender.send(ChatId.direct(b.card()), HUNDRED));
      List<Double> cpu = new ArrayList<>();
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < 20; i++) {
          long start = Measure.threadCpu();
          sender.send(ChatId.direct(b.card()), HUNDRED);
          cpu.add((Measure.threadCpu() - start) / 1e3);
        }
      }
      out.put("full_send_profile_cpu_us" + suffix, round1(median(cpu)));
    }
    Identity c = Identity.generate(random);
    Identity d = Identity.generate(random);
    org.reschat.localdb.Profile onStore = org.reschat.localdb.Profile.open(dir.resolve("c"));
    CountingKvStore written = new CountingKvStore(target);
    try (ChatClient sender = ChatClient.builder().identity(c).store(written).localState(onStore.state()).build();
        ChatClient receiver = client(d, target)) {
      begin(sender, c, receiver, d, records);
      List<Double> ms = new ArrayList<>();
      List<Double> putMs = new ArrayList<>();
      String prefix = "reschat.bench.put." + Long.toHexString(random.nextLong()) + ".";
      int timed = Math.max(3 * 20, rounds * 20);
      long fsyncsFrom = 0;
      for (int i = -20; i < timed; i++) { // the JIT is warm from above; this warms the store
        long start = System.nanoTime();
        sender.send(ChatId.direct(d.card()), HUNDRED);
        long sent = System.nanoTime();
        // A raw put of the same value right after each send: the disk's other tenants come and go within
        // seconds, so the ratio of a send to a put is only meaningful measured side by side.
        target.put(prefix + i, written.lastWritten());
        if (i >= 0) {
          ms.add((sent - start) / 1e6);
          putMs.add((System.nanoTime() - sent) / 1e6);
        }
        if (i == -1) {
          fsyncsFrom = org.reschat.localdb.AtomicFiles.fsyncs();
        }
      }
      for (int i = timed; i < PROFILE_COUNTED_SENDS; i++) { // counted, not timed
        sender.send(ChatId.direct(d.card()), HUNDRED);
      }
      int counted = Math.max(timed, PROFILE_COUNTED_SENDS);
      out.put("profile_fsyncs_per_send" + suffix,
          round2((org.reschat.localdb.AtomicFiles.fsyncs() - fsyncsFrom) / (double) counted));
      out.put("profile_send_ms" + suffix, round2(median(ms)));
      out.put("profile_put_ms" + suffix, round2(median(putMs)));
      out.put("profile_send_put_ratio" + suffix, round2(median(ms) / median(putMs)));
    }
  }

  /**
   * Sends counted for {@code profile_fsyncs_per_send}: past the point where the profile's logs have each been
   * compacted at least once at their bound (1 MiB of appends): on the records path the kept records' log about every
   * 1,800 sends, the feed's log (a closing page every twenty) about every 2,900.
   */
  private static final int PROFILE_COUNTED_SENDS = 4_000;

  /** Both have written; on the records path each has shown the other it reads records ({@link #bothShowRecords}). */
  private static void begin(ChatClient sender, Identity from, ChatClient receiver, Identity to, boolean records)
      throws Exception {
    if (records) {
      bothShowRecords(sender, from, receiver, to);
    } else {
      receiver.send(ChatId.direct(from.card()), HUNDRED);
      sender.update(ChatId.direct(to.card()));
    }
  }

  /** CPU per message in a group of {@code n}: seal, sign (with the heads of n - 1 feeds), seal the page. */
  private double groupSendMicros(int n) throws Exception {
    return groupSendMicros(n, false);
  }

  /**
   * Bytes a member of a group of three writes to the ledger for twenty 100-character messages once every device of
   * the three has shown it reads records (protocol §4.9): each message one signed record, and the page whole, signed,
   * once when it closes. Her first page, begun whole with her notice, is filled first (§4.8: records start after it).
   */
  private long groupLedgerBytes(CountingKvStore target) throws Exception {
    try (ChatClient alice = client(Identity.generate(random), target);
        ChatClient bob = client(Identity.generate(random), target);
        ChatClient carol = client(Identity.generate(random), target)) {
      ChatId.Group group = groupReadingRecords("bytes", alice, List.of(bob, carol));
      for (int i = 0; i < 19; i++) {
        alice.send(group, HUNDRED);
      }
      CountingKvStore.Counts before = target.counts();
      for (int i = 0; i < 20; i++) {
        alice.send(group, HUNDRED);
      }
      return target.counts().minus(before).bytesWritten();
    }
  }

  /**
   * Bytes a phone with a linked laptop writes to the ledger for twenty read positions it tells the laptop
   * ({@code SELF_READ}, protocol §15.6), one after each receive pass that delivers a friend's message: the laptop and
   * the friend write through {@code store} itself, so only the phone's writes are counted. Its first page of the
   * self channel is filled first (§4.8: records start at the page after one begun whole).
   */
  private long selfLedgerBytes(KvStore store) throws Exception {
    CountingKvStore phoneWrites = new CountingKvStore(store);
    Identity alice = Identity.generate(random);
    Identity bob = Identity.generate(random);
    try (ChatClient phone = ChatClient.builder().identity(alice).store(phoneWrites)
            .localState(new InMemoryLocalState()).contacts(() -> List.of(bob.card())).build();
        ChatClient friend = ChatClient.builder().identity(bob).store(store).localState(new InMemoryLocalState())
            .contacts(() -> List.of(alice.card())).build()) {
      org.reschat.core.Devices.LinkOffer offer = phone.devices().offer();
      org.reschat.core.DeviceJoin join = org.reschat.core.DeviceJoin.start(store, offer.code(), "laptop",
          java.time.Clock.systemUTC());
      phone.devices().approve(offer, phone.devices().request(offer).orElseThrow(), new byte[0]);
      org.reschat.core.DeviceJoin.Joined joined = join.poll().orElseThrow();
      InMemoryLocalState laptopState = new InMemoryLocalState();
      joined.importInto(laptopState);
      try (ChatClient laptop = ChatClient.builder().identity(joined.identity()).store(store).localState(laptopState)
          .contacts(() -> List.of(bob.card())).build()) {
        friend.send(ChatId.direct(alice.card()), HUNDRED);
        for (ChatClient c : List.of(phone, laptop, friend)) {
          receiveAll(c);
        }
        for (int i = 0; i < 20; i++) { // the phone's first page there, begun whole, fills
          friend.send(ChatId.direct(alice.card()), HUNDRED);
          receiveAll(phone);
          receiveAll(laptop);
        }
        long bytes = 0;
        for (int i = 0; i < 20; i++) {
          friend.send(ChatId.direct(alice.card()), HUNDRED);
          CountingKvStore.Counts before = phoneWrites.counts();
          receiveAll(phone);
          bytes += phoneWrites.counts().minus(before).bytesWritten();
        }
        return bytes;
      }
    }
  }

  private static void receiveAll(ChatClient client) throws Exception {
    client.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
  }

  /**
   * {@link #groupSendMicros(int)}, or where every device reads records ({@code records}, protocol §4.9): seal the
   * slot, sign the record (with the same heads), seal the record; the twentieth also closes the page, signed, sealed.
   */
  private double groupSendMicros(int n, boolean records) throws Exception {
    List<org.reschat.core.identity.PublicCard> members = new ArrayList<>();
    Identity writer = Identity.generate(random);
    members.add(writer.card());
    for (int i = 1; i < n; i++) {
      members.add(Identity.generate(random).card());
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    Conversation c = Conversation.of(writer, secret, members);
    String key = c.pageKey(c.myFeed(), 1);
    List<org.reschat.core.internal.page.Head> heads = new ArrayList<>();
    for (int i = 0; i < n; i++) { // the writer has read every other feed: the heads a page carries at size n
      if (i != c.myIndex()) {
        heads.add(new org.reschat.core.internal.page.Head(i, 3, 20, new byte[8]));
      }
    }
    PageWriter writerOfPages = new PageWriter(c);
    List<Double> micros = new ArrayList<>();
    Page[] warmPage = {null};
    Conversation asRecords = c.withTails(org.reschat.core.internal.conversation.TailRule.groupEpoch(true));
    org.reschat.core.internal.page.RecordWriter recordWriter = new org.reschat.core.internal.page.RecordWriter(asRecords);
    List<org.reschat.core.internal.page.SlotRecord> warmRecords = new ArrayList<>();
    Measure.warm(5_000, 40_000, () -> {
      if (records) {
        warmRecords.clear();
        warmRecords.add(recordWriter.append(1, new byte[32], warmRecords, heads, draft(1)).orElseThrow());
        recordWriter.seal(warmRecords.get(0));
        Envelope.seal(asRecords, key, recordWriter.close(warmRecords));
        return;
      }
      warmPage[0] = warmPage[0] == null || warmPage[0].isFull() ? null : warmPage[0];
      warmPage[0] = writerOfPages.append(warmPage[0], heads, draft(1));
      Envelope.seal(c, key, warmPage[0]);
    });
    for (int round = 0; round < rounds; round++) {
      Page page = null;
      List<org.reschat.core.internal.page.SlotRecord> open = new ArrayList<>();
      long roundStart = Measure.threadCpu();
      for (int i = 0; i < 20; i++) {
        long start = Measure.threadCpu();
        if (records) {
          open.add(recordWriter.append(1, new byte[32], open, heads, draft(i)).orElseThrow());
          recordWriter.seal(open.get(i));
        } else {
          page = writerOfPages.append(page, heads, draft(i));
          Envelope.seal(c, key, page);
          micros.add((Measure.threadCpu() - start) / 1e3);
        }
      }
      if (records) { // the closing page is part of the page's cost: the mean of the twenty sends
        Envelope.seal(asRecords, key, recordWriter.close(open));
        micros.add((Measure.threadCpu() - roundStart) / 1e3 / 20);
      }
    }
    return median(micros);
  }

  /**
   * Removing a member from a group of 50: the new secret wrapped to 48 others, one op in the admin's feed.
   * Also the bytes creating that group wrote (the first time: a fresh 1:1 page per invitee): the roster once
   * and 49 invitations of constant size (issue 20).
   */
  private void groupChange(Map<String, Number> out) throws Exception {
    org.reschat.kv.memory.MemoryKvStore memory = new org.reschat.kv.memory.MemoryKvStore();
    CountingKvStore counting = new CountingKvStore(memory);
    Identity admin = Identity.generate(random);
    List<org.reschat.core.identity.PublicCard> others = new ArrayList<>();
    for (int i = 0; i < 49; i++) {
      others.add(Identity.generate(random).card());
    }
    List<Double> ms = new ArrayList<>();
    long bytes = 0;
    long createBytes = 0;
    try (ChatClient c = client(admin, counting)) {
      for (int run = 0; run < 4; run++) {
        CountingKvStore.Counts beforeCreate = counting.counts();
        org.reschat.core.internal.group.Group g = groups(c).create("bench " + run, others);
        if (run == 0) {
          createBytes = counting.counts().minus(beforeCreate).bytesWritten();
        }
        c.send(ChatId.group(g.id()), HUNDRED);
        CountingKvStore.Counts before = counting.counts();
        long start = System.nanoTime();
        groups(c).remove(g, others.get(run));
        if (run > 0) { // the first one warms up
          ms.add((System.nanoTime() - start) / 1e6);
        }
        bytes = counting.counts().minus(before).bytesWritten();
      }
    }
    out.put("group_change_ms", round1(median(ms)));
    out.put("group_change_bytes", bytes);
    out.put("group_create_bytes_50", createBytes);
  }

  /**
   * 10 members × 100 messages each, newest pages, read by a member holding nothing of the feeds (its own
   * included: a new device); also records the reads that takes, and those of the next update.
   */
  private double groupHistory(CountingKvStore target, Map<String, Number> out) throws Exception {
    List<Double> ms = new ArrayList<>();
    for (int run = -1; run < 3; run++) {
      Identity reader = Identity.generate(random);
      List<Identity> writers = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        writers.add(Identity.generate(random));
      }
      try (ChatClient c = client(reader, target)) {
        org.reschat.core.internal.group.Group g = groups(c).create("history " + run,
            writers.stream().map(Identity::card).toList());
        List<Identity> all = new ArrayList<>(writers);
        all.add(reader);
        for (Identity w : all) {
          Conversation conv = org.reschat.core.internal.group.Group.conversation(w, g.current());
          PageWriter pw = new PageWriter(conv);
          Page page = null;
          for (int i = 0; i < 100; i++) {
            Page next = pw.append(page, List.of(), draft(i));
            if (page != null && next.number() != page.number()) {
              put(target, conv, page);
            }
            page = next;
          }
          put(target, conv, page);
        }
        CountingKvStore.Counts before = target.counts();
        long start = System.nanoTime();
        int shown = c.history(ChatId.group(g.id()), HistoryRequest.newest(2)).messages().size();
        if (shown < 10 * 40) {
          throw new IllegalStateException("expected the newest pages of 10 feeds, loaded " + shown + " messages");
        }
        if (run >= 0) {
          ms.add((System.nanoTime() - start) / 1e6);
        }
        out.put("group_open_reads_10_fresh", target.counts().minus(before).reads());
        before = target.counts();
        c.update(ChatId.group(g.id()));
        out.put("group_update_reads_10", target.counts().minus(before).reads());
      }
    }
    return median(ms);
  }

  /** A conversation of 500 messages each way (25 pages per feed) read by a reader with no local copy. */
  private double history1000(KvStore target) throws Exception {
    Identity a = Identity.generate(random);
    Identity b = Identity.generate(random);
    writeFeed(a, b, target);
    writeFeed(b, a, target);
    List<Double> ms = new ArrayList<>();
    for (int run = -2; run < Math.max(3, rounds / 3); run++) {
      try (ChatClient reader = client(b, target)) {
        long start = System.nanoTime();
        int shown = reader.history(ChatId.direct(a.card()), HistoryRequest.all()).messages().size();
        if (shown != 1000) {
          throw new IllegalStateException("expected 1,000 messages, loaded " + shown);
        }
        if (run >= 0) {
          ms.add((System.nanoTime() - start) / 1e6);
        }
      }
    }
    return median(ms);
  }

  /** Writes 500 messages of {@code writer}'s feed directly as final pages: 25 writes instead of 500. */
  private static void writeFeed(Identity writer, Identity reader, KvStore target) throws Exception {
    Conversation c = Conversation.pair(writer, reader.card());
    PageWriter pw = new PageWriter(c);
    Page page = null;
    for (int i = 0; i < 500; i++) {
      Page next = pw.append(page, List.of(), draft(2 * i));
      if (page != null && next.number() != page.number()) {
        put(target, c, page);
      }
      page = next;
    }
    put(target, c, page);
  }

  private static void put(KvStore target, Conversation c, Page page) throws Exception {
    String key = c.pageKey(c.myFeed(), page.number());
    target.put(key, Envelope.seal(c, key, page));
  }

  private static SlotSeal.Draft draft(long i) {
    return new SlotSeal.Draft("TEXT", 1_732_300_000_000L + i, new byte[0], HUNDRED.getBytes(StandardCharsets.UTF_8));
  }

  /** The engine's groups under a client: the bench writes group pages as their members would, so it needs epochs. */
  static org.reschat.core.internal.group.Groups groups(ChatClient c) {
    return ((org.reschat.core.internal.feed.LedgerChatClient) c).groupEngine();
  }

  /**
   * A message each way, each side reading the other's, so every device of both has shown it reads version 5
   * ({@code PAIR_READS}, protocol §4.7–4.8: written at a read once the friend wrote); then the page the writer began
   * whole before that is filled. From here the sender writes its open page as slot records, one a message, and the
   * page whole, signed, once it closes: what the ledger's figures below measure.
   */
  private static void bothShowRecords(ChatClient sender, Identity from, ChatClient reader, Identity to)
      throws Exception {
    ChatId toReader = ChatId.direct(to.card());
    ChatId toSender = ChatId.direct(from.card());
    sender.send(toReader, HUNDRED);
    reader.update(toSender);
    reader.send(toSender, HUNDRED);
    sender.update(toReader); // the sender's notice, and the reader's read
    reader.update(toSender); // the reader's notice (the sender has written), and the sender's read
    sender.update(toReader);
    for (int i = 0; i < 20; i++) { // the page begun whole stays whole until full (§4.8): fill it
      sender.send(toReader, HUNDRED);
    }
    reader.update(toSender);
  }

  /** How many of {@code writer}'s pages {@code h} shows messages of. */
  private static long pagesOf(History h, Identity writer) {
    return h.messages().stream().filter(m -> m.sender().equals(writer.card())).mapToLong(org.reschat.core.Message::page).distinct().count();
  }

  private static ChatClient client(Identity id, KvStore store) {
    return ChatClient.builder().identity(id).store(store).localState(new InMemoryLocalState()).build();
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
