package org.reschat.core.feed;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.reschat.core.ChatClient;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.conversation.FeedId;
import org.reschat.core.crypto.Hpke;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.page.Page;
import org.reschat.core.page.PageCodec;
import org.reschat.core.page.PageLimits;
import org.reschat.core.page.PageOpener;
import org.reschat.core.page.PageWriter;
import org.reschat.core.page.Slot;
import org.reschat.core.state.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;

/** The {@link ChatClient} over a {@link KvStore}: single-writer feeds of signed pages. */
public final class LedgerChatClient implements ChatClient {
  private final Identity me;
  private final KvStore store;
  private final LocalState state;
  private final Clock clock;
  private final ExecutorService io;
  private final ExecutorService cpu;
  private final Map<PublicCard, Conversation> conversations = new ConcurrentHashMap<>();

  public LedgerChatClient(Identity me, KvStore store, LocalState state, Clock clock) {
    this.me = me;
    this.store = store;
    this.state = state;
    this.clock = clock;
    this.io = Executors.newFixedThreadPool(Math.max(1, store.maxConcurrentReads()), daemon("reschat-io"));
    this.cpu = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), daemon("reschat-cpu"));
  }

  @Override
  public PublicCard card() {
    return me.card();
  }

  @Override
  public Conversation conversationWith(PublicCard contact) {
    return conversations.computeIfAbsent(contact, c -> Conversation.between(me, c));
  }

  // --- send ---------------------------------------------------------------------------------------------

  @Override
  public SendResult send(PublicCard contact, String text) throws InvalidMessageException, LocalStateException, KvException {
    byte[] body = encodeText(text);
    Conversation c = conversationWith(contact);
    FeedId feed = c.myFeed();
    try (LocalState.Lock lock = state.lock(c.id())) {
      FeedSync sync = new FeedSync(c, store, state, io);
      Page tail = ownTail(sync, feed);
      long now = clock.millis();
      long last = tail == null ? 0 : tail.slots().get(tail.slots().size() - 1).timestampMillis();
      // Timestamps never go backwards within a feed, so merging by time keeps each feed's order.
      PageWriter.Draft draft = new PageWriter.Draft(Message.TEXT, Math.max(now, last), "", body);
      Page page = new PageWriter(me, c, Hpke.standard()).append(tail, draft);
      String json = PageCodec.toJson(page);
      state.putOutbox(feed, page.number(), json); // durable before the network sees it
      Optional<String> problem = flush(c);
      boolean confirmed = !state.outbox(feed).containsKey(page.number());
      int index = page.slots().size() - 1;
      Message message = new Message(feed.writer() + ":" + page.number() + ":" + index, Message.Direction.SENT, me.card(),
          Instant.ofEpochMilli(draft.timestampMillis()), Message.TEXT, text, page.number(), index,
          confirmed ? Message.Status.CONFIRMED : Message.Status.QUEUED);
      return new SendResult(message, pendingMessages(feed), problem);
    }
  }

  /** The newest own page: queued, cached, or found on the store when this client has none. */
  private Page ownTail(FeedSync sync, FeedId feed) throws LocalStateException, KvException {
    long newest = sync.newestHeld(feed);
    if (newest > 0) {
      return sync.shownVersion(feed, newest).orElseThrow();
    }
    Map<Long, Fetched> seen = new java.util.HashMap<>();
    long found = sync.locateNewest(feed, seen);
    if (found == 0) {
      return null;
    }
    state.savePage(feed, found, seen.get(found).json());
    return seen.get(found).page();
  }

  /** Publishes queued pages in page order; stops at the first the store does not confirm. */
  private Optional<String> flush(Conversation c) throws LocalStateException {
    FeedId feed = c.myFeed();
    for (Map.Entry<Long, String> e : state.outbox(feed).entrySet()) {
      try {
        store.put(feed.key(e.getKey()), e.getValue());
      } catch (KvException ex) {
        return Optional.of(ex.getMessage());
      }
      state.savePage(feed, e.getKey(), e.getValue());
      state.removeOutbox(feed, e.getKey(), e.getValue());
    }
    return Optional.empty();
  }

  private int pendingMessages(FeedId feed) throws LocalStateException {
    int pending = 0;
    for (Map.Entry<Long, String> e : state.outbox(feed).entrySet()) {
      int queued = FeedSync.parseLocal(e.getValue(), "queued page " + e.getKey()).slots().size();
      pending += Math.max(0, queued - confirmedSlots(feed, e.getKey()));
    }
    return pending;
  }

  /** Slots of one of this person's pages the store has confirmed: those of the verified copy. */
  private int confirmedSlots(FeedId feed, long number) throws LocalStateException {
    Optional<String> confirmed = state.page(feed, number);
    return confirmed.isEmpty() ? 0 : FeedSync.parseLocal(confirmed.get(), "cached page " + number).slots().size();
  }

  @Override
  public int pending(PublicCard contact) throws LocalStateException {
    return pendingMessages(conversationWith(contact).myFeed());
  }

  // --- history and update -----------------------------------------------------------------------------

  @Override
  public History history(PublicCard contact, HistoryRequest request) throws LocalStateException, KvException {
    Conversation c = conversationWith(contact);
    try (LocalState.Lock lock = state.lock(c.id())) {
      try {
        return onlineHistory(c, request);
      } catch (KvUnavailableException | KvTimeoutException e) {
        return localHistory(c, request, e.getMessage());
      }
    }
  }

  private History onlineHistory(Conversation c, HistoryRequest request) throws LocalStateException, KvException {
    FeedSync sync = new FeedSync(c, store, state, io);
    sync.confirmLanded(c.myFeed());
    flush(c);
    sync.refresh(List.of(c.theirFeed(), c.myFeed()));
    List<FeedSync.Range> ranges = new ArrayList<>();
    for (FeedId feed : List.of(c.theirFeed(), c.myFeed())) {
      long newest = sync.newestHeld(feed);
      if (newest > 0) {
        ranges.add(FeedSync.Range.newest(feed, newest, request.pagesPerFeed()));
      }
    }
    sync.load(ranges, request.progress());
    flush(c); // own pages found damaged are queued again; write them back now
    List<List<Message>> feeds = new ArrayList<>();
    List<FeedWarning> warnings = new ArrayList<>(sync.warnings());
    boolean hasOlder = false;
    for (FeedSync.Range r : ranges) {
      feeds.add(decrypt(c, r, LocalState.Position.START, warnings));
      hasOlder |= r.pages.isEmpty() ? r.from > 1 : r.pages.firstKey() > 1;
    }
    return new History(merge(c, feeds), warnings, hasOlder, sync.pagesRead(), Optional.empty());
  }

  /** The verified pages kept locally, when the store cannot be read. */
  private History localHistory(Conversation c, HistoryRequest request, String problem) throws LocalStateException {
    FeedSync sync = new FeedSync(c, store, state, io);
    List<List<Message>> feeds = new ArrayList<>();
    List<FeedWarning> warnings = new ArrayList<>();
    boolean hasOlder = false;
    for (FeedId feed : List.of(c.theirFeed(), c.myFeed())) {
      long newest = sync.newestHeld(feed);
      if (newest == 0) {
        continue;
      }
      FeedSync.Range r = FeedSync.Range.newest(feed, newest, request.pagesPerFeed());
      for (long k = r.from; k <= r.to; k++) {
        Optional<Page> page = sync.shownVersion(feed, k);
        if (page.isPresent()) {
          r.pages.put(k, page.get());
        } else {
          hasOlder = true; // not kept locally: the store will show it once it answers
        }
      }
      feeds.add(decrypt(c, r, LocalState.Position.START, warnings));
      hasOlder |= r.from > 1;
    }
    return new History(merge(c, feeds), warnings, hasOlder, 0, Optional.of(problem));
  }

  @Override
  public Update update(PublicCard contact) throws LocalStateException, KvException {
    Conversation c = conversationWith(contact);
    FeedId theirs = c.theirFeed();
    try (LocalState.Lock lock = state.lock(c.id())) {
      FeedSync sync = new FeedSync(c, store, state, io);
      int before = pendingMessages(c.myFeed());
      sync.confirmLanded(c.myFeed());
      Optional<String> problem = flush(c);
      sync.refresh(List.of(theirs, c.myFeed()));
      if (problem.isEmpty()) {
        problem = flush(c);
      }
      List<FeedWarning> warnings = new ArrayList<>(sync.warnings());
      List<Message> received = List.of();
      long newest = state.newestPage(theirs);
      LocalState.Position mark = state.delivered(theirs);
      if (newest >= mark.page()) {
        FeedSync.Range range = new FeedSync.Range(theirs, mark.page(), newest);
        sync.load(List.of(range), HistoryRequest.Progress.NONE);
        warnings = new ArrayList<>(sync.warnings());
        received = decrypt(c, range, mark, warnings);
        Page top = range.pages.get(newest);
        if (top != null) {
          state.saveDelivered(theirs, new LocalState.Position(newest, top.slots().size()));
        }
      }
      int after = pendingMessages(c.myFeed());
      return new Update(received, Math.max(0, before - after), after, problem, warnings);
    }
  }

  // --- decrypting and merging ---------------------------------------------------------------------------

  /** Opens every slot of the range's pages at or after {@code from}, in parallel, in feed order. */
  private List<Message> decrypt(Conversation c, FeedSync.Range r, LocalState.Position from, List<FeedWarning> warnings)
      throws LocalStateException {
    boolean own = r.feed.writer().equals(c.myTag());
    SortedMap<Long, String> outbox = own ? state.outbox(r.feed) : java.util.Collections.emptySortedMap();
    List<Future<List<Object>>> futures = new ArrayList<>();
    for (Map.Entry<Long, Page> e : r.pages.entrySet()) {
      long number = e.getKey();
      Page page = e.getValue();
      int confirmedSlots = outbox.containsKey(number) ? confirmedSlots(r.feed, number) : page.slots().size();
      futures.add(cpu.submit(() -> openPage(c, page, own, from, confirmedSlots)));
    }
    List<Message> out = new ArrayList<>();
    for (Future<List<Object>> f : futures) {
      for (Object o : join(f)) {
        if (o instanceof Message) {
          out.add((Message) o);
        } else {
          warnings.add((FeedWarning) o);
        }
      }
    }
    return out;
  }

  private List<Object> openPage(Conversation c, Page page, boolean own, LocalState.Position from, int confirmedSlots) {
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < page.slots().size(); i++) {
      if (!from.includes(page.number(), i)) {
        continue;
      }
      Slot slot = page.slots().get(i);
      String text;
      try {
        byte[] plain = PageOpener.open(me, c, page, i);
        text = slot.type().equals(Message.TEXT) ? decodeText(plain) : "[a " + slot.type() + " message, which this version cannot show]";
      } catch (Hpke.OpenFailedException e) {
        out.add(new FeedWarning(FeedWarning.Kind.UNDECRYPTABLE, own, page.number(),
            "message " + i + " does not open with your key (" + e.getMessage() + ")"));
        continue;
      }
      out.add(new Message(page.writer() + ":" + page.number() + ":" + i,
          own ? Message.Direction.SENT : Message.Direction.RECEIVED, own ? c.me() : c.them(),
          Instant.ofEpochMilli(slot.timestampMillis()), slot.type(), text, page.number(), i,
          i < confirmedSlots ? Message.Status.CONFIRMED : Message.Status.QUEUED));
    }
    return out;
  }

  /**
   * Merges feeds by timestamp, then writer tag; each feed's own order is kept even if its clock went
   * backwards, because this is a merge of already ordered lists, not a sort.
   */
  static List<Message> merge(Conversation c, List<List<Message>> feeds) {
    if (feeds.isEmpty()) {
      return List.of();
    }
    List<Message> merged = new ArrayList<>(feeds.get(0));
    Comparator<Message> order = Comparator.comparing(Message::sentAt)
        .thenComparing(m -> m.id().substring(0, m.id().indexOf(':')));
    for (int f = 1; f < feeds.size(); f++) {
      List<Message> a = merged;
      List<Message> b = feeds.get(f);
      List<Message> out = new ArrayList<>(a.size() + b.size());
      int i = 0;
      int j = 0;
      while (i < a.size() || j < b.size()) {
        if (j == b.size() || (i < a.size() && order.compare(a.get(i), b.get(j)) <= 0)) {
          out.add(a.get(i++));
        } else {
          out.add(b.get(j++));
        }
      }
      merged = out;
    }
    return merged;
  }

  private static byte[] encodeText(String text) throws InvalidMessageException {
    if (text == null || text.isBlank()) {
      throw new InvalidMessageException("The message is empty; there is nothing to send.");
    }
    try {
      ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(text));
      byte[] body = new byte[encoded.remaining()];
      encoded.get(body);
      if (body.length > PageLimits.MAX_MESSAGE_BYTES) {
        throw new InvalidMessageException("The message is " + body.length + " bytes; the limit is "
            + PageLimits.MAX_MESSAGE_BYTES + " bytes (16 KiB) of UTF-8 text.");
      }
      return body;
    } catch (CharacterCodingException e) {
      throw new InvalidMessageException("The message is not valid Unicode text.");
    }
  }

  private static String decodeText(byte[] plain) {
    // Authenticated, so written by the sender; invalid UTF-8 is their client's bug, shown with replacement marks.
    return StandardCharsets.UTF_8.decode(ByteBuffer.wrap(plain)).toString();
  }

  private static <T> T join(Future<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while decrypting", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    io.shutdownNow();
    cpu.shutdownNow();
  }
}
