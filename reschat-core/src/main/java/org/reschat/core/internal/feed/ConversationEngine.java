package org.reschat.core.internal.feed;

import org.reschat.core.internal.conversation.Received;
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
import org.reschat.core.Problem;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.Update;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageLimits;
import org.reschat.core.internal.page.SlotRecord;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;
import org.reschat.kv.KvTimeoutException;
import org.reschat.kv.KvUnavailableException;

/**
 * Conversations of single-writer feeds of sealed, signed pages over a {@link KvStore}: what every chat,
 * direct or group, is made of. Each call works under the conversation's lock through one {@link Operation},
 * which holds a {@link FeedReader} per member feed and the {@link OwnFeed} that publishes.
 */
public final class ConversationEngine implements org.reschat.core.internal.conversation.ConversationClient {
  private final Identity me;
  private final KvStore store;
  private final LocalState state;
  private final Clock clock;
  private final ExecutorService io;
  private final ExecutorService cpu;
  private final Map<PublicCard, Conversation> conversations = new ConcurrentHashMap<>();
  /** The device lists this client verified: which linked devices' feeds each conversation has (protocol §15). */
  private final org.reschat.core.internal.device.DeviceBook devices;
  private final OpenedPages opened = new OpenedPages();
  /** Pages handed to the decryption threads in this process: a count for tests, never a limit. */
  private static final AtomicInteger HANDED_OFF = new AtomicInteger();
  /** Pages whose heads were found true: not compared again at every receive (issue 24). */
  private final HeadsFoundTrue headsFoundTrue = new HeadsFoundTrue();
  /** Each direct chat's later epochs (protocol §3.1). */
  private final org.reschat.core.internal.conversation.PairEpochs pairs;
  /** Which devices of each direct chat's epochs read pages of version 4 (protocol §4.7). */
  private final org.reschat.core.internal.conversation.ReadsRecord reads;
  /** The older epochs of direct chats this device no longer reads on receive (protocol §3.1). */
  private final org.reschat.core.internal.conversation.RetiredEpochs retired;
  private volatile boolean closed;

  /** How many pages were handed to the decryption threads so far (tests count what a path hands off). */
  static long pagesHandedOff() {
    return HANDED_OFF.get();
  }

  /** Reads go through {@code store}, writes too; {@code state} keeps what was verified. */
  public ConversationEngine(Identity me, KvStore store, LocalState state, Clock clock) {
    this.me = me;
    this.store = store;
    this.state = state;
    this.clock = clock;
    this.io = Executors.newFixedThreadPool(Math.max(1, store.maxConcurrentReads()), daemon("reschat-io"));
    this.cpu = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), daemon("reschat-cpu"));
    this.devices = new org.reschat.core.internal.device.DeviceBook(me, store, state, clock);
    this.pairs = new org.reschat.core.internal.conversation.PairEpochs(me, state);
    this.reads = new org.reschat.core.internal.conversation.ReadsRecord(state);
    this.retired = new org.reschat.core.internal.conversation.RetiredEpochs(state, clock);
  }

  /** Which devices of each direct chat's epochs have shown they read pages of version 4 (protocol §4.7). */
  public org.reschat.core.internal.conversation.ReadsRecord reads() {
    return reads;
  }

  /**
   * {@link NextKeys#of(Conversation, LocalState, boolean)} on this engine's state, opening the pages it holds once
   * for every operation (asked after each change a batched pass finds: it opened each feed's newest page again).
   */
  public List<String> nextKeys(Conversation c, boolean own) throws LocalStateException {
    return NextKeys.of(c, state, own, opened);
  }

  /**
   * The keys a receive of {@code c} reads in its first request (each feed's first pages and the record keys read with
   * them), and those it reads past a page one message fills ({@link FeedReader#keysPastAFill}), for a receive pass to
   * read those of every chat that changed in one batch before it receives them one after the other (issue 24): the
   * receive then finds them read in the pass and verifies them as its own reads.
   */
  public List<String> firstKeys(Conversation c) throws LocalStateException {
    Operation op = new Operation(c);
    List<String> keys = op.firstKeys();
    for (FeedReader r : op.readers) {
      keys.addAll(r.keysPastAFill()); // the chat changed: its page one short of full may have filled
    }
    return keys;
  }

  /** {@link NextKeys#caughtUp(Conversation, LocalState, Map, boolean)}, as {@link #nextKeys} opens pages. */
  public boolean caughtUp(Conversation c, Map<String, org.reschat.kv.KvRead> got, boolean own)
      throws LocalStateException {
    return NextKeys.caughtUp(c, state, got, own, opened);
  }

  /** Each direct chat's later epochs, as this device holds them (protocol §3.1). */
  public org.reschat.core.internal.conversation.PairEpochs pairs() {
    return pairs;
  }

  @Override
  public List<Conversation> conversationsWith(PublicCard contact) throws LocalStateException {
    return pairs.chain(conversationWith(contact));
  }

  /**
   * The epochs of the chat with {@code contact} that receive reads, oldest first: {@link #conversationsWith} without
   * those retired (protocol §3.1, "Retiring an epoch"), which only history reads.
   */
  public List<Conversation> liveConversationsWith(PublicCard contact) throws LocalStateException {
    return retired.live(conversationsWith(contact));
  }

  /**
   * Notes that a receive just read {@code read} (epochs {@link #liveConversationsWith} gave): a retired one among them
   * is read again only once 10 minutes passed (protocol §3.1, "Retiring an epoch").
   */
  public void readLive(List<Conversation> read) throws LocalStateException {
    retired.revisited(read);
  }

  /** The older epochs of direct chats this device reads on receive only now and then. */
  org.reschat.core.internal.conversation.RetiredEpochs retired() {
    return retired;
  }

  @Override
  public Conversation currentWith(PublicCard contact) throws LocalStateException {
    return pairs.current(conversationWith(contact));
  }

  /** The device lists this client keeps and reads. */
  public org.reschat.core.internal.device.DeviceBook devices() {
    return devices;
  }

  /**
   * {@code c} with a feed for each linked device of its members, as this client's kept device lists name them, and,
   * for an epoch of a direct chat, how its open tails are authenticated here (protocol §4.7).
   */
  public Conversation withDevices(Conversation c) throws LocalStateException {
    return withDevices(c, devices.keptLists(c.members()));
  }

  /** {@link #withDevices(Conversation)} with the members' kept lists read already. */
  private Conversation withDevices(Conversation c,
      java.util.Map<PublicCard, Optional<org.reschat.core.internal.device.DeviceList>> lists) throws LocalStateException {
    return withTails(devices.attach(c, lists), lists); // each list read once: a read is a stat on a profile
  }

  @Override
  public boolean followsRecords(Conversation c) throws LocalStateException {
    return withDevices(c).tails().everyoneReads5();
  }

  /**
   * {@code c} under its {@link org.reschat.core.internal.conversation.TailRule}: for an epoch of a direct chat, open
   * for unsigned versions as {@link org.reschat.core.internal.conversation.OpenEpoch} decides, and version 4 (and 5)
   * once every device of both showed it reads it; a group's epoch, signed records once every device of every member
   * showed version 5 (§4.9: a member's notice counts for its own feeds only, so a lie costs the liar's devices alone);
   * every other conversation signs every version.
   */
  private Conversation withTails(Conversation c,
      java.util.Map<PublicCard, Optional<org.reschat.core.internal.device.DeviceList>> lists) throws LocalStateException {
    if (c.tails().group()) {
      return c.withTails(org.reschat.core.internal.conversation.TailRule.groupEpoch(reads.everyoneReadsRecords(c)));
    }
    if (!c.isMember() || c.members().size() != 2) {
      return c;
    }
    Optional<org.reschat.core.internal.conversation.PairEpochs.Place> place = pairs.place(c, conversationWith(c.them()));
    if (place.isEmpty()) {
      return c;
    }
    boolean open = org.reschat.core.internal.conversation.OpenEpoch.open(place.get(),
        org.reschat.core.internal.device.DeviceBook.revocations(lists.get(c.me())),
        org.reschat.core.internal.device.DeviceBook.revocations(lists.get(c.them())));
    return c.withTails(new org.reschat.core.internal.conversation.TailRule(open, reads.everyone(c),
        reads.everyoneReadsRecords(c)));
  }

  /**
   * Reads the device lists of {@code c}'s members that are due ({@code DeviceBook#refresh}) and adds what was
   * found wrong with them, and what still stands from an earlier read, to {@code op}'s warnings. Returns every
   * member's kept list, for the operation that follows to attach the devices without reading the lists again.
   */
  private java.util.Map<PublicCard, Optional<org.reschat.core.internal.device.DeviceList>> refreshDevices(Conversation c,
      Warnings warnings) throws LocalStateException, KvException {
    java.util.Map<PublicCard, Optional<org.reschat.core.internal.device.DeviceList>> lists =
        devices.refreshedLists(c.members());
    for (FeedWarning w : devices.standing(c.members())) {
      warnings.add(w, "devices/" + w.writer());
    }
    return lists;
  }

  public Identity identity() {
    return me;
  }

  public LocalState state() {
    return state;
  }

  @Override
  public Conversation conversationWith(PublicCard contact) {
    return conversations.computeIfAbsent(contact, c -> Conversation.pair(me, c));
  }

  /** One call's view of a conversation: a reader per feed, the own feed's writer, the warnings found. */
  private final class Operation {
    final Conversation c;
    /** The local state of this conversation's feeds as this operation sees it: read once, written through. */
    final OperationState local = new OperationState(state);
    final Warnings warnings;
    final AtomicInteger reads = new AtomicInteger();
    final List<FeedReader> readers = new ArrayList<>();
    final FeedReader mine;
    final OwnFeed own;
    /** Whether a notice read in this operation changed a member's device list (protocol §15.4). */
    boolean devicesChanged;

    Operation(Conversation c) throws LocalStateException {
      this(c, new Warnings());
    }

    /** An operation whose warnings start with {@code warnings} (the device lists' read before it). */
    Operation(Conversation plain, Warnings warnings) throws LocalStateException {
      this(plain, warnings, devices.keptLists(plain.members()));
    }

    /** {@link #Operation(Conversation, Warnings)} with the members' device lists as {@link #refreshDevices} kept them. */
    Operation(Conversation plain, Warnings warnings,
        java.util.Map<PublicCard, Optional<org.reschat.core.internal.device.DeviceList>> lists) throws LocalStateException {
      this.warnings = warnings;
      this.c = withDevices(plain, lists);
      for (FeedId feed : c.feeds()) {
        readers.add(new FeedReader(c, feed, store, local, warnings, reads, opened));
      }
      this.mine = c.isMember() ? readers.get(0) : null; // a reader of an epoch from before they joined has none
      this.own = c.isMember() ? new OwnFeed(c, mine, store, local) : null;
    }

    List<FeedReader> others() {
      return readers.subList(mine == null ? 0 : 1, readers.size());
    }

    Optional<Problem> flush() throws LocalStateException {
      // The heads are needed only to seal messages again after another device's page: not on every update.
      return own == null ? Optional.empty() : own.flush(() -> Heads.of(readers));
    }

    int pending() throws LocalStateException {
      return own == null ? 0 : own.pending();
    }

    /** Queues this device's tail signed where unsigned versions no longer count (protocol §4.7); the flush publishes it. */
    void signClosedTail() throws LocalStateException {
      if (own != null && c.tails().tagsWithdrawn()) {
        own.signTail();
      }
    }

    /** The keys {@link #refresh} reads in its first request, where tags count ({@link #readTogether}). */
    List<String> firstKeys() throws LocalStateException {
      List<String> keys = new ArrayList<>();
      for (FeedReader r : readers) {
        for (long number : r.firstReads()) {
          r.unread(number).ifPresent(keys::add);
        }
        keys.addAll(r.nextRecordKeys()); // none where tags are withdrawn
      }
      return keys;
    }

    /** Every feed up to the store's newest page; the first reads of all feeds go out at once. */
    void refresh() throws KvException, LocalStateException {
      // Where tags no longer count, records come first: the signed page closing tagged records held back is read with
      // them, so those it contradicts are reported (protocol §4.8, an epoch closed mid-page).
      boolean recordsFirst = c.tails().tagsWithdrawn();
      if (recordsFirst) {
        for (FeedReader r : readers) {
          r.followRecords();
        }
      }
      Map<FeedReader, List<Long>> first = new LinkedHashMap<>();
      Map<String, FeedReader> records = new LinkedHashMap<>();
      for (FeedReader r : readers) {
        first.put(r, r.firstReads());
        if (!recordsFirst) {
          r.nextRecordKeys().forEach(key -> records.put(key, r));
        }
      }
      // One request however many feeds: at most two pages a feed, nearly always copies held here. In a group of records
      // a live receive re-reads every member's notice page, and one loader task each cost more than the reads. The
      // next record keys the followers poll go with them: a receive of one record, or of none, is one request.
      readTogether(first, records);
      for (FeedReader r : readers) {
        r.refresh();
        if (!recordsFirst) {
          r.followRecords();
        }
      }
    }

    /**
     * Reads pages of several feeds into the readers' memory of this operation: in parallel, or, up to
     * {@link #READ_TOGETHER} of them, in one request on this thread.
     */
    void prefetch(Map<FeedReader, List<Long>> wanted, HistoryRequest.Progress progress) throws KvException {
      int total = wanted.values().stream().mapToInt(List::size).sum();
      if (total <= READ_TOGETHER) {
        readTogether(wanted, Map.of());
        progress.pagesRead(total, total);
        return;
      }
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

    /**
     * Reads the pages of {@code wanted} this operation has not read yet in one request to the store, and opens them
     * on this thread: a live receive's first reads, whose hand-off to loader threads cost more CPU in wake-ups than
     * the reads, held copies nearly always (LiveReceiveStaysOnItsThreadTest). The {@code records} keys are read with
     * them and handed to their readers' record followers, which verify them as their own reads.
     */
    private void readTogether(Map<FeedReader, List<Long>> wanted, Map<String, FeedReader> records) throws KvException {
      Map<String, Map.Entry<FeedReader, Long>> pages = new LinkedHashMap<>();
      for (Map.Entry<FeedReader, List<Long>> e : wanted.entrySet()) {
        for (long number : e.getValue()) {
          e.getKey().unread(number).ifPresent(key -> pages.put(key, Map.entry(e.getKey(), number)));
        }
      }
      if (pages.isEmpty() && records.isEmpty()) {
        return;
      }
      List<String> keys = new ArrayList<>(pages.keySet());
      keys.addAll(records.keySet());
      Map<String, org.reschat.kv.KvRead> got = store.getAll(keys);
      for (Map.Entry<String, FeedReader> r : records.entrySet()) {
        org.reschat.kv.KvRead read = got.get(r.getKey());
        if (read != null) { // unanswered: the follower reads it as before
          r.getValue().tookRecord(r.getKey(), read);
        }
      }
      for (Map.Entry<String, Map.Entry<FeedReader, Long>> p : pages.entrySet()) {
        org.reschat.kv.KvRead read = got.get(p.getKey());
        if (read == null) { // a store that left a key unanswered: read it alone
          p.getValue().getKey().fetch(p.getValue().getValue());
        } else {
          p.getValue().getKey().took(p.getValue().getValue(), p.getKey(), read);
        }
      }
    }

    /** Opens the given pages of each feed in parallel and merges them. */
    List<Message> messages(Map<FeedReader, SortedMap<Long, Page>> pages, Map<FeedReader, LocalState.Position> from)
        throws LocalStateException {
      // One page to open (a live receive, a short history): opened here; a decryption thread would only add a
      // hand-off. A page with nothing at or after its feed's mark opens nothing: in a group every member's held page
      // is one at each receive, and counting them sent a live receive through the threads, one task a member.
      int toOpen = 0;
      for (Map.Entry<FeedReader, SortedMap<Long, Page>> e : pages.entrySet()) {
        LocalState.Position start = from.getOrDefault(e.getKey(), LocalState.Position.START);
        for (Map.Entry<Long, Page> p : e.getValue().entrySet()) { // a loop, not a stream: one a member each receive
          toOpen += opensAny(start, p) ? 1 : 0;
        }
      }
      boolean inline = toOpen <= 1;
      List<List<Future<List<Object>>>> perFeed = new ArrayList<>();
      for (Map.Entry<FeedReader, SortedMap<Long, Page>> e : pages.entrySet()) {
        FeedReader r = e.getKey();
        LocalState.Position start = from.getOrDefault(r, LocalState.Position.START);
        List<Future<List<Object>>> futures = new ArrayList<>();
        for (Map.Entry<Long, Page> p : e.getValue().entrySet()) {
          if (!opensAny(start, p)) {
            continue; // Timeline.open would open none of its slots
          }
          int confirmed = r.own ? own.confirmedSlots(p.getKey(), p.getValue()) : p.getValue().slots().size();
          if (inline) {
            futures.add(java.util.concurrent.CompletableFuture.completedFuture(Timeline.open(c, r, p, start, confirmed)));
          } else {
            HANDED_OFF.incrementAndGet();
            futures.add(cpu.submit(() -> Timeline.open(c, r, p, start, confirmed)));
          }
        }
        perFeed.add(futures);
      }
      List<List<Message>> feeds = new ArrayList<>();
      List<FeedReader> order = new ArrayList<>(pages.keySet());
      for (int n = 0; n < perFeed.size(); n++) {
        List<Future<List<Object>>> futures = perFeed.get(n);
        List<Message> messages = new ArrayList<>();
        Optional<LocalState.Position> end = c.endOf(order.get(n).feed); // a revoked device's cut (protocol §15.7)
        List<Object> opened = new ArrayList<>();
        for (Future<List<Object>> f : futures) {
          opened.addAll(join(f));
        }
        opened.addAll(records(order.get(n), from.getOrDefault(order.get(n), LocalState.Position.START)));
        for (Object o : opened) {
          if (o instanceof Message && end.isPresent() && end.get().includes(((Message) o).page(), ((Message) o).slot())) {
            continue; // written after the cut: nobody shows it
          }
          if (o instanceof Message) {
            messages.add((Message) o);
          } else {
            warnings.add((FeedWarning) o, order.get(n).feed);
          }
        }
        feeds.add(messages);
      }
      return Timeline.merge(feeds);
    }

    /** The messages of the open record page {@code r} followed (§4.8), at or after {@code start}, as {@link Timeline} shows slots. */
    private List<Object> records(FeedReader r, LocalState.Position start) {
      List<Object> out = new ArrayList<>();
      List<SlotRecord> open = r.openRecords();
      for (SlotRecord record : open) {
        if (!start.includes(record.page(), record.index())) {
          continue;
        }
        try {
          byte[] plain = SlotSeal.open(c, r.feed, record);
          out.add(Timeline.message(c, r, record.page(), record.index(), record.slot(), plain, open.size()));
        } catch (org.reschat.core.internal.crypto.OneTimeKeyAead.OpenFailedException e) {
          out.add(new FeedWarning(FeedWarning.Kind.UNDECRYPTABLE, r.own, record.page(), "message " + record.index()
              + " does not open with the conversation's keys (" + e.getMessage() + ")", c.writerOf(r.feed)));
        }
      }
      return out;
    }

    /** Whether {@link Timeline#open} opens any slot of {@code page} from {@code start}: its last is at or after it. */
    private static boolean opensAny(LocalState.Position start, Map.Entry<Long, Page> page) {
      int slots = page.getValue().slots().size();
      return slots > 0 && start.includes(page.getKey(), slots - 1);
    }

    /** Readers holding an open record page, with nothing else to show: an empty list of pages each. */
    void addRecordFeeds(Map<FeedReader, SortedMap<Long, Page>> pages) {
      for (FeedReader r : readers) {
        if (!r.openRecords().isEmpty()) {
          pages.putIfAbsent(r, new java.util.TreeMap<>());
        }
      }
    }
  }

  /**
   * Reads at once the device lists that {@code LINKED_DEVICES} notices among {@code messages} name (protocol
   * §15.4), taking notices only from members' identity feeds; what is wrong goes to the operation's warnings.
   */
  private void noticed(Operation op, List<Message> messages) throws LocalStateException, KvException {
    for (Message m : messages) {
      if (!org.reschat.core.internal.page.MessageText.DEVICES.equals(m.type())) {
        continue;
      }
      FeedReader from = op.readers.stream().filter(r -> m.id().startsWith(r.feed.writer() + ":")).findFirst().orElse(null);
      Optional<org.reschat.core.internal.device.DeviceNotice> notice =
          org.reschat.core.internal.device.DeviceNotice.parse(m.body());
      if (from == null || !from.identityFeed || from.own || notice.isEmpty()) {
        continue; // a device's notice, one's own, or not a notice: nothing to read
      }
      org.reschat.core.internal.device.DeviceBook.Noticed r = devices.noticed(m.sender(), notice.get(), m.page(), op.c.id());
      r.warning().ifPresent(w -> op.warnings.add(w, "devices/" + m.sender()));
      op.devicesChanged |= r.changed();
    }
  }

  // --- send ---------------------------------------------------------------------------------------------

  /** Sends into any conversation this identity is a member of: a friend's, or a group's current epoch. */
  @Override
  public SendResult send(Conversation c, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, LocalStateException, KvException {
    org.reschat.core.internal.page.MessageText.checkType(type);
    open();
    try (LocalState.Lock lock = state.lock(c.id())) {
      return sendHolding(c, type, extension, body);
    }
  }

  /**
   * Sends to {@code contact} in the newest epoch they hold (§3.1), decided in the holding of that epoch's lock: the
   * epoch last decided is locked, then the record is looked at in the holding, one look with the device lists'
   * (the look outside the lock was a second stat of {@code state/devices} a send). When another process or device
   * took a later epoch meanwhile, that one's lock is taken instead. Epochs are only ever taken, never given back, so
   * each try but one moves to a later one: at most {@link org.reschat.core.internal.conversation.PairEpochs#MAX_LATER}
   * more tries, then the send fails (a record replaced again and again) without writing.
   */
  public SendResult sendTo(PublicCard contact, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, LocalStateException, KvException {
    org.reschat.core.internal.page.MessageText.checkType(type);
    open();
    Conversation first = conversationWith(contact);
    Conversation c = pairs.lastCurrent(first);
    for (int tries = 0; tries <= org.reschat.core.internal.conversation.PairEpochs.MAX_LATER + 1; tries++) {
      try (LocalState.Lock lock = state.lock(c.id())) {
        Conversation now = pairs.current(first);
        if (now.id().equals(c.id())) {
          return sendHolding(c, type, extension, body);
        }
        c = now;
      }
    }
    throw new LocalStateException("The record of this device's direct chat keys (state/devices/pairs.record) kept"
        + " changing while a message was sent; nothing was sent. Try again.");
  }

  private SendResult sendHolding(Conversation c, String type, byte[] extension, byte[] body)
      throws InvalidMessageException, LocalStateException, KvException {
    Operation op = new Operation(c);
    List<org.reschat.core.internal.page.Head> heads = Heads.of(op.readers);
    OwnFeed.Sent sent = op.own.send(new SlotSeal.Draft(type, stamp(op), extension, body), heads);
    org.reschat.core.internal.page.Slot mine = sent.page().slots().get(sent.page().slots().size() - 1);
    Optional<Problem> problem = sent.problem();
    long newest = op.mine.newestHeld();
    Page page = op.mine.shown(newest).orElseThrow();
    int index = page.slots().size() - 1;
    int confirmed = op.own.confirmedSlots(newest, page);
    Message message;
    if (page.slots().get(index).equals(mine)) {
      // The slot just sealed, where it was sealed: its body is in hand, no need to open it again.
      message = Timeline.message(op.c, op.mine, newest, index, mine, body, confirmed);
    } else { // sealed again after another device's page: open what is there now
      message = (Message) Timeline.open(op.c, op.mine, Map.entry(newest, page), new LocalState.Position(newest, index),
          confirmed).get(0);
    }
    return new SendResult(message, op.own.pending(), problem);
  }

  /**
   * At most this many pages are read in one request and opened on the caller's thread, not loaded in parallel: the
   * first reads of a direct chat (two feeds, at most two pages each). More overlap: a history, a group.
   */
  static final int READ_TOGETHER = 4;

  /** How far a clock may run behind what others wrote for a message to be stamped after it anyway. */
  static final long MAX_CATCH_UP_MILLIS = 60_000;

  /**
   * The time to stamp a message with: this clock, but after every message already read in the conversation
   * when that one is at most a minute ahead. So a reply sent in the same millisecond as the message it
   * answers, or from a clock a little behind, still sorts after it; a writer's far-future stamp moves nothing.
   */
  private long stamp(Operation op) throws LocalStateException {
    long now = clock.millis();
    long seen = now;
    for (FeedReader r : op.others()) {
      long n = r.newestVerified();
      if (n > 0) {
        Page p = r.verified(n).orElseThrow();
        if (!p.slots().isEmpty()) {
          long last = p.slots().get(p.slots().size() - 1).timestampMillis();
          if (last >= seen && last - now < MAX_CATCH_UP_MILLIS) {
            seen = last + 1;
          }
        }
      }
    }
    return seen;
  }

  @Override
  public int copyVerifiedPages(Conversation c) throws LocalStateException, KvException {
    int written = 0;
    try (LocalState.Lock lock = state.lock(c.id())) {
      c = withDevices(c);
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
  public void signOpenTail(Conversation c) throws LocalStateException {
    open();
    try (LocalState.Lock lock = state.lock(c.id())) {
      Operation op = new Operation(c);
      if (op.own != null && op.own.signTail()) {
        op.flush();
      }
    }
  }

  @Override
  public int pending(Conversation c) throws LocalStateException {
    open();
    return new Operation(c).pending();
  }

  // --- history and update -----------------------------------------------------------------------------

  /** History of any conversation this identity is a member of. */
  @Override
  public History history(Conversation c, HistoryRequest request) throws LocalStateException, KvException {
    open();
    try (LocalState.Lock lock = state.lock(c.id())) {
      try {
        Warnings found = new Warnings();
        Operation op = new Operation(c, found, refreshDevices(c, found));
        History h = onlineHistory(op, request);
        if (op.devicesChanged) { // a notice named a device this read did not know: read again with it
          Warnings again = found.lasting(); // a read with the old devices is not evidence, but what is read once is
          h = onlineHistory(new Operation(c, again, refreshDevices(c, again)), request);
        }
        return h;
      } catch (KvUnavailableException | KvTimeoutException e) {
        return localHistory(new Operation(c), request, Problem.of(e));
      }
    }
  }

  private History onlineHistory(Operation op, HistoryRequest request) throws LocalStateException, KvException {
    op.signClosedTail();
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
    Heads.check(op.readers, headsFoundTrue);
    op.addRecordFeeds(pages);
    List<Message> messages = op.messages(pages, Map.of());
    noticed(op, messages);
    return new History(messages, op.warnings.all(), hasOlder, op.reads.get(), Optional.empty());
  }

  /** The verified pages kept locally, when the store cannot be read. */
  private History localHistory(Operation op, HistoryRequest request, Problem problem) throws LocalStateException {
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
   * Where this member's own feed in {@code c} ends, as held here (verified or queued): the position after its
   * newest message. What a receiver remembers to tell later own messages (from another process) apart.
   */
  public LocalState.Position ownTail(Conversation c) throws LocalStateException {
    if (!c.isMember()) {
      return LocalState.Position.START;
    }
    Operation op = new Operation(c);
    long newest = op.mine.newestHeld();
    if (newest == 0) {
      return LocalState.Position.START;
    }
    return new LocalState.Position(newest, op.mine.shown(newest).orElseThrow().slots().size());
  }

  /**
   * Where {@code feed} of {@code c} (with its devices) ends as this device holds it, the first place past what it
   * verified there: past the records of the open page after the newest page (protocol §4.8), else past the newest
   * page; empty when it holds nothing of the feed. A revocation's cut (§15.7): a cut at the newest page would leave
   * out the revoked device's records written before it.
   */
  public Optional<LocalState.Position> heldEnd(Conversation c, FeedId feed) throws LocalStateException {
    long newest = state.newestPage(feed);
    int records = new HeldRecords(c, feed, state, opened).count(newest + 1);
    if (records > 0) {
      return Optional.of(new LocalState.Position(newest + 1, records));
    }
    if (newest == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(new LocalState.Position(newest, org.reschat.core.internal.page.PageCodec.parse(
          org.reschat.core.internal.page.Envelope.open(c, c.pageKey(feed, newest), state.page(feed, newest)
              .orElseThrow())).slots().size()));
    } catch (org.reschat.core.internal.page.PageFormatException e) {
      throw new LocalStateException("A verified page of " + feed.writer() + " kept here is damaged: "
          + e.getMessage(), e);
    }
  }

  /** This member's own messages in {@code c} at or after {@code from}, from what is held here, oldest first. */
  public List<Message> ownSince(Conversation c, LocalState.Position from) throws LocalStateException {
    if (!c.isMember()) {
      return List.of();
    }
    open();
    try (LocalState.Lock lock = state.lock(c.id())) {
      Operation op = new Operation(c);
      long newest = op.mine.newestHeld();
      SortedMap<Long, Page> pages = new TreeMap<>();
      for (long k = Math.max(1, from.page()); k <= newest; k++) {
        op.mine.shown(k).ifPresent(p -> pages.put(p.number(), p));
      }
      Map<FeedReader, SortedMap<Long, Page>> mine = new LinkedHashMap<>();
      mine.put(op.mine, pages);
      return op.messages(mine, Map.of(op.mine, from));
    }
  }

  /** Update of any conversation this identity is a member of: receives and marks delivered at once. */
  @Override
  public Update update(Conversation c) throws LocalStateException, KvException {
    Received r = receive(c);
    r.commit(state);
    return r.update();
  }

  /**
   * What is new in {@code c} since the last delivery, not yet marked delivered: the caller marks it with
   * {@link Received#commit} once it has passed the messages on. Publishes queued messages.
   */
  @Override
  public Received receive(Conversation c) throws LocalStateException, KvException {
    open();
    try (LocalState.Lock lock = state.lock(c.id())) {
      Warnings found = new Warnings();
      Operation op = new Operation(c, found, refreshDevices(c, found));
      op.signClosedTail();
      int before = op.pending();
      Optional<Problem> problem = op.flush();
      op.refresh();
      if (problem.isEmpty()) {
        problem = op.flush();
      }
      Received r = receive(c, op, before, problem);
      if (op.devicesChanged) {
        // A notice changed a member's devices (a new one, or a revoked one's cut): read again with them, before
        // anything is delivered, so nothing a revoked device wrote after its cut is ever passed on (§15.7).
        Operation again = new Operation(c, op.warnings); // what the first read found still stands
        again.refresh();
        r = receive(c, again, before, problem);
      }
      return r;
    }
  }

  /** The rest of {@link #receive(Conversation)}: what is new in {@code op}'s feeds since the delivery marks. */
  private Received receive(Conversation c, Operation op, int before, Optional<Problem> problem)
      throws LocalStateException, KvException {
    {
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
      Heads.check(op.readers, headsFoundTrue);
      for (FeedReader r : op.others()) {
        if (!r.openRecords().isEmpty()) {
          marks.putIfAbsent(r, state.delivered(r.feed));
        }
      }
      op.addRecordFeeds(pages);
      List<Message> received = op.messages(pages, marks);
      noticed(op, received);
      Map<FeedId, LocalState.Position> cursors = new LinkedHashMap<>();
      for (Map.Entry<FeedReader, SortedMap<Long, Page>> e : pages.entrySet()) {
        SortedMap<Long, Page> p = e.getValue();
        if (!p.isEmpty()) {
          cursors.put(e.getKey().feed, new LocalState.Position(p.lastKey(), p.get(p.lastKey()).slots().size()));
        }
        List<SlotRecord> open = e.getKey().openRecords();
        if (!open.isEmpty()) { // past the newest verified page: the records of the open page after it
          cursors.put(e.getKey().feed, new LocalState.Position(e.getKey().openPage(), open.size()));
        }
      }
      int after = op.pending();
      return new Received(c, new Update(received, Math.max(0, before - after), after, problem, op.warnings.all()),
          cursors);
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

  /** Stops the loader threads; later calls throw {@link IllegalStateException}. */
  public void close() {
    closed = true;
    io.shutdownNow();
    cpu.shutdownNow();
  }

  private void open() {
    if (closed) {
      throw new IllegalStateException("The chat client is closed");
    }
  }
}
