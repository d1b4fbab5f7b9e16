package org.reschat.core.feed;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.TreeMap;
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
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.page.Page;
import org.reschat.core.page.PageLimits;
import org.reschat.core.page.SlotSeal;
import org.reschat.core.state.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;

/**
 * The {@link ChatClient} over a {@link KvStore}: conversations of single-writer feeds of sealed, signed
 * pages. Each call works under the conversation's lock through one {@link Operation}, which holds a
 * {@link FeedReader} per member feed and the {@link OwnFeed} that publishes.
 */
public final class LedgerChatClient implements ChatClient, org.reschat.core.ConversationClient {
  private final Identity me;
  private final KvStore store;
  private final LocalState state;
  private final Clock clock;
  private final ExecutorService io;
  private final ExecutorService cpu;
  private final Map<PublicCard, Conversation> conversations = new ConcurrentHashMap<>();
  private final org.reschat.core.group.Groups groups;
  private final org.reschat.core.requests.MessageRequests requests;

  public LedgerChatClient(Identity me, KvStore store, LocalState state, Clock clock) {
    this.me = me;
    this.store = store;
    this.state = state;
    this.clock = clock;
    this.io = Executors.newFixedThreadPool(Math.max(1, store.maxConcurrentReads()), daemon("reschat-io"));
    this.cpu = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), daemon("reschat-cpu"));
    this.requests = new org.reschat.core.requests.MessageRequests(me, this, state, store, clock);
    this.groups = new org.reschat.core.group.Groups(me, this, state, store, requests);
  }

  @Override
  public org.reschat.core.requests.MessageRequests requests() {
    return requests;
  }

  @Override
  public org.reschat.core.group.Groups groups() {
    return groups;
  }

  @Override
  public PublicCard card() {
    return me.card();
  }

  @Override
  public Conversation conversationWith(PublicCard contact) {
    return conversations.computeIfAbsent(contact, c -> Conversation.pair(me, c));
  }

  /** One call's view of a conversation: a reader per feed, the own feed's writer, the warnings found. */
  private final class Operation {
    final Conversation c;
    final Warnings warnings = new Warnings();
    final AtomicInteger reads = new AtomicInteger();
    final List<FeedReader> readers = new ArrayList<>();
    final FeedReader mine;
    final OwnFeed own;

    Operation(Conversation c) {
      this.c = c;
      for (FeedId feed : c.feeds()) {
        readers.add(new FeedReader(c, feed, store, state, warnings, reads));
      }
      this.mine = c.isMember() ? readers.get(0) : null; // a reader of an epoch from before they joined has none
      this.own = c.isMember() ? new OwnFeed(c, mine, store, state) : null;
    }

    List<FeedReader> others() {
      return readers.subList(mine == null ? 0 : 1, readers.size());
    }

    Optional<String> flush() throws LocalStateException {
      return own == null ? Optional.empty() : own.flush(Heads.of(readers));
    }

    int pending() throws LocalStateException {
      return own == null ? 0 : own.pending();
    }

    /** Every feed up to the store's newest page; the first reads of all feeds go out at once. */
    void refresh() throws KvException, LocalStateException {
      Map<FeedReader, List<Long>> first = new LinkedHashMap<>();
      for (FeedReader r : readers) {
        first.put(r, r.firstReads());
      }
      prefetch(first, HistoryRequest.Progress.NONE);
      for (FeedReader r : readers) {
        r.refresh();
      }
    }

    /** Reads pages of several feeds in parallel into the readers' memory of this operation. */
    void prefetch(Map<FeedReader, List<Long>> wanted, HistoryRequest.Progress progress) throws KvException {
      int total = wanted.values().stream().mapToInt(List::size).sum();
      AtomicInteger done = new AtomicInteger();
      List<Future<?>> futures = new ArrayList<>();
      for (Map.Entry<FeedReader, List<Long>> e : wanted.entrySet()) {
        for (long number : e.getValue()) {
          futures.add(io.submit(() -> {
            e.getKey().fetch(number);
            progress.pagesRead(done.incrementAndGet(), total);
            return null;
          }));
        }
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          futures.forEach(x -> x.cancel(true));
          throw new IllegalStateException("Interrupted while loading pages", ex);
        } catch (ExecutionException ex) {
          futures.forEach(x -> x.cancel(true));
          if (ex.getCause() instanceof KvException) {
            throw (KvException) ex.getCause();
          }
          throw ex.getCause() instanceof RuntimeException ? (RuntimeException) ex.getCause()
              : new IllegalStateException(ex.getCause());
        }
      }
    }

    /** Opens the given pages of each feed in parallel and merges them. */
    List<Message> messages(Map<FeedReader, SortedMap<Long, Page>> pages, Map<FeedReader, LocalState.Position> from)
        throws LocalStateException {
      List<List<Future<List<Object>>>> perFeed = new ArrayList<>();
      for (Map.Entry<FeedReader, SortedMap<Long, Page>> e : pages.entrySet()) {
        FeedReader r = e.getKey();
        LocalState.Position start = from.getOrDefault(r, LocalState.Position.START);
        List<Future<List<Object>>> futures = new ArrayList<>();
        for (Map.Entry<Long, Page> p : e.getValue().entrySet()) {
          int confirmed = r.own ? own.confirmedSlots(p.getKey(), p.getValue()) : p.getValue().slots().size();
          futures.add(cpu.submit(() -> Timeline.open(c, r, p, start, confirmed)));
        }
        perFeed.add(futures);
      }
      List<List<Message>> feeds = new ArrayList<>();
      List<FeedReader> order = new ArrayList<>(pages.keySet());
      for (int n = 0; n < perFeed.size(); n++) {
        List<Future<List<Object>>> futures = perFeed.get(n);
        int member = order.get(n).feed.member();
        List<Message> messages = new ArrayList<>();
        for (Future<List<Object>> f : futures) {
          for (Object o : join(f)) {
            if (o instanceof Message) {
              messages.add((Message) o);
            } else {
              warnings.add((FeedWarning) o, member);
            }
          }
        }
        feeds.add(messages);
      }
      return Timeline.merge(feeds);
    }
  }

  // --- send ---------------------------------------------------------------------------------------------

  @Override
  public SendResult send(PublicCard contact, String text) throws InvalidMessageException, LocalStateException, KvException {
    return send(contact, Message.TEXT, new byte[0], encodeText(text));
  }

  @Override
  public SendResult send(PublicCard contact, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, LocalStateException, KvException {
    SendResult sent = send(conversationWith(contact), type, extension, body);
    requests.introduce(contact); // once: see MessageRequests
    return sent;
  }

  /** Sends into any conversation this identity is a member of: a friend's, or a group's current epoch. */
  @Override
  public SendResult send(Conversation c, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, LocalStateException, KvException {
    if (!type.matches("[A-Z][A-Z0-9_]{0,15}")) {
      throw new InvalidMessageException("A message type is 1-16 of A-Z 0-9 _ starting with a letter, not \"" + type + "\".");
    }
    try (LocalState.Lock lock = state.lock(c.id())) {
      Operation op = new Operation(c);
      op.own.append(new SlotSeal.Draft(type, clock.millis(), extension, body), Heads.of(op.readers));
      Optional<String> problem = op.flush();
      long newest = op.mine.newestHeld();
      Page page = op.mine.shown(newest).orElseThrow();
      int index = page.slots().size() - 1;
      List<Object> opened = Timeline.open(c, op.mine, Map.entry(newest, page), new LocalState.Position(newest, index),
          op.own.confirmedSlots(newest, page));
      Message message = (Message) opened.get(0);
      return new SendResult(message, op.own.pending(), problem);
    }
  }

  @Override
  public int pending(PublicCard contact) throws LocalStateException {
    return pending(conversationWith(contact));
  }

  @Override
  public int copyVerifiedPages(Conversation c) throws LocalStateException, KvException {
    int written = 0;
    try (LocalState.Lock lock = state.lock(c.id())) {
      for (FeedId feed : c.feeds()) {
        long newest = state.newestPage(feed);
        for (long k = 1; k <= newest; k++) {
          Optional<String> value = state.page(feed, k);
          String key = c.pageKey(feed, k);
          if (value.isPresent() && store.get(key).isEmpty()) {
            store.put(key, value.get());
            written++;
          }
        }
      }
    }
    return written;
  }

  @Override
  public int pending(Conversation c) throws LocalStateException {
    return new Operation(c).pending();
  }

  // --- history and update -----------------------------------------------------------------------------

  @Override
  public History history(PublicCard contact, HistoryRequest request) throws LocalStateException, KvException {
    return history(conversationWith(contact), request);
  }

  /** History of any conversation this identity is a member of. */
  @Override
  public History history(Conversation c, HistoryRequest request) throws LocalStateException, KvException {
    try (LocalState.Lock lock = state.lock(c.id())) {
      try {
        return onlineHistory(new Operation(c), request);
      } catch (KvUnavailableException | KvTimeoutException e) {
        return localHistory(new Operation(c), request, e.getMessage());
      }
    }
  }

  private History onlineHistory(Operation op, HistoryRequest request) throws LocalStateException, KvException {
    op.flush();
    op.refresh();
    op.flush(); // own pages found damaged are queued again; write them back now
    Map<FeedReader, List<Long>> wanted = new LinkedHashMap<>();
    Map<FeedReader, long[]> ranges = new LinkedHashMap<>();
    for (FeedReader r : op.readers) {
      long newest = r.newestHeld();
      if (newest > 0) {
        long from = Math.max(1, newest - Math.min(newest, request.pagesPerFeed()) + 1);
        ranges.put(r, new long[] {from, newest});
        wanted.put(r, r.toRead(from, newest));
      }
    }
    op.prefetch(wanted, request.progress());
    Map<FeedReader, SortedMap<Long, Page>> pages = new LinkedHashMap<>();
    boolean hasOlder = false;
    for (Map.Entry<FeedReader, long[]> e : ranges.entrySet()) {
      SortedMap<Long, Page> p = e.getKey().pages(e.getValue()[0], e.getValue()[1]);
      pages.put(e.getKey(), p);
      hasOlder |= p.isEmpty() ? e.getValue()[0] > 1 : p.firstKey() > 1;
    }
    op.flush();
    Heads.check(op.readers);
    List<Message> messages = op.messages(pages, Map.of());
    return new History(messages, op.warnings.all(), hasOlder, op.reads.get(), Optional.empty());
  }

  /** The verified pages kept locally, when the store cannot be read. */
  private History localHistory(Operation op, HistoryRequest request, String problem) throws LocalStateException {
    Map<FeedReader, SortedMap<Long, Page>> pages = new LinkedHashMap<>();
    boolean hasOlder = false;
    for (FeedReader r : op.readers) {
      long newest = r.newestHeld();
      if (newest == 0) {
        continue;
      }
      long from = Math.max(1, newest - Math.min(newest, request.pagesPerFeed()) + 1);
      SortedMap<Long, Page> p = new TreeMap<>();
      for (long k = from; k <= newest; k++) {
        Optional<Page> page = r.shown(k);
        if (page.isPresent()) {
          p.put(k, page.get());
        } else {
          hasOlder = true; // not kept locally: the store will show it once it answers
        }
      }
      pages.put(r, p);
      hasOlder |= from > 1;
    }
    return new History(op.messages(pages, Map.of()), op.warnings.all(), hasOlder, 0, Optional.of(problem));
  }

  /**
   * Also takes the group invitations among what {@code contact} sent (see {@code Groups.takeInvites}); one
   * refused, or in conflict with a group held, is a warning of this update.
   */
  @Override
  public Update update(PublicCard contact) throws LocalStateException, KvException {
    Update u = update(conversationWith(contact));
    List<FeedWarning> invitations = groups.takeInvites(contact, u.received()).warnings();
    requests.introduce(contact);
    if (invitations.isEmpty()) {
      return u;
    }
    List<FeedWarning> warnings = new ArrayList<>(u.warnings());
    warnings.addAll(invitations);
    return new Update(u.received(), u.published(), u.pending(), u.problem(), warnings);
  }

  /** Update of any conversation this identity is a member of. */
  @Override
  public Update update(Conversation c) throws LocalStateException, KvException {
    try (LocalState.Lock lock = state.lock(c.id())) {
      Operation op = new Operation(c);
      int before = op.pending();
      Optional<String> problem = op.flush();
      op.refresh();
      if (problem.isEmpty()) {
        problem = op.flush();
      }
      Map<FeedReader, SortedMap<Long, Page>> pages = new LinkedHashMap<>();
      Map<FeedReader, LocalState.Position> marks = new LinkedHashMap<>();
      Map<FeedReader, List<Long>> wanted = new LinkedHashMap<>();
      for (FeedReader r : op.others()) {
        LocalState.Position mark = state.delivered(r.feed);
        long newest = r.newestVerified();
        if (newest >= mark.page()) {
          marks.put(r, mark);
          wanted.put(r, r.toRead(mark.page(), newest));
        }
      }
      op.prefetch(wanted, HistoryRequest.Progress.NONE);
      for (Map.Entry<FeedReader, LocalState.Position> e : marks.entrySet()) {
        FeedReader r = e.getKey();
        long newest = r.newestVerified();
        pages.put(r, r.pages(e.getValue().page(), newest));
      }
      Heads.check(op.readers);
      List<Message> received = op.messages(pages, marks);
      for (Map.Entry<FeedReader, SortedMap<Long, Page>> e : pages.entrySet()) {
        SortedMap<Long, Page> p = e.getValue();
        if (!p.isEmpty()) {
          state.saveDelivered(e.getKey().feed, new LocalState.Position(p.lastKey(), p.get(p.lastKey()).slots().size()));
        }
      }
      int after = op.pending();
      return new Update(received, Math.max(0, before - after), after, problem, op.warnings.all());
    }
  }

  // --- text ---------------------------------------------------------------------------------------------

  /** The text's UTF-8 bytes, or why it cannot be sent (empty, over 16 KiB, not Unicode). */
  public static byte[] encodeText(String text) throws InvalidMessageException {
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
