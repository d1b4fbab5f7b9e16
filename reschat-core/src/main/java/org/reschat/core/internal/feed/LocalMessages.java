package org.reschat.core.internal.feed;

import org.reschat.core.internal.json.StrictUtf8;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.reschat.core.LocalStateException;
import org.reschat.core.Message;
import org.reschat.core.Relations;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.Head;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.Slot;
import org.reschat.core.internal.relation.RelationCodec;
import org.reschat.core.internal.relation.Targets;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.LocalState;
import org.reschat.kv.KvStore;

/**
 * {@link Targets} over the pages of a chat this client holds (verified, or its own queued ones): never the
 * store, never a write. Every feed of every conversation of the chat is indexed by writer tag, the part of a
 * message id that names its feed. At most {@link #PAGE_BUDGET} pages are opened per instance, so a hostile
 * member referring to thousands of messages costs a bounded amount of work; past it, a message is not held.
 * Not thread-safe: one fold uses one instance.
 */
public final class LocalMessages implements Targets {
  /** Pages one fold may open outside what its call loaded. */
  public static final int PAGE_BUDGET = 64;

  /** A conversation of the chat, and which of its messages show (a group epoch's cuts). */
  public record Source(Conversation conversation, Visible visible) {}

  /** Whether the message of {@code writer} at ({@code page}, {@code slot}) shows in the chat. */
  @FunctionalInterface
  public interface Visible {
    Visible ALL = (writer, page, slot) -> true;

    boolean test(PublicCard writer, long page, int slot);
  }

  private final KvStore store;
  private final LocalState state;
  private final Supplier<List<Source>> sources;
  private Map<String, Feed> feeds;
  private final Map<String, Optional<Page>> pages = new HashMap<>();
  private final Map<Source, Map<Integer, Head>> readOfMine = new HashMap<>();
  private final int budget;
  private int opened;

  /** {@code sources} is asked once, when first needed (building a group's epochs costs key derivations). */
  public LocalMessages(KvStore store, LocalState state, Supplier<List<Source>> sources) {
    this(store, state, sources, PAGE_BUDGET);
  }

  LocalMessages(KvStore store, LocalState state, Supplier<List<Source>> sources, int budget) {
    this.store = store;
    this.state = state;
    this.sources = sources;
    this.budget = budget;
  }

  private record Feed(Source source, FeedReader reader, PublicCard writer) {}

  private Map<String, Feed> feeds() {
    if (feeds == null) {
      feeds = new HashMap<>();
      for (Source s : sources.get()) {
        Conversation c = s.conversation();
        for (int i = 0; i < c.members().size(); i++) {
          FeedId id = c.feed(i);
          feeds.put(id.writer(), new Feed(s, new FeedReader(c, id, store, state, new Warnings(), new AtomicInteger(), new OpenedPages()),
              c.members().get(i)));
        }
      }
    }
    return feeds;
  }

  /** Page {@code n} of a feed as held here; empty when not held, damaged, or past the budget. */
  private Optional<Page> page(Feed f, long n) {
    return page(f, n, true);
  }

  /**
   * As {@link #page(Feed, long)}; {@code budgeted} false for the newest page of each member when counting who
   * has read what: at most one per member of a conversation shown, so bounded without the budget.
   */
  private Optional<Page> page(Feed f, long n, boolean budgeted) {
    String key = f.reader().feed.writer() + ":" + n;
    Optional<Page> known = pages.get(key);
    if (known != null) {
      return known;
    }
    if (budgeted && opened >= budget) {
      return Optional.empty();
    }
    opened += budgeted ? 1 : 0;
    Optional<Page> p;
    try {
      p = f.reader().shown(n);
    } catch (LocalStateException e) {
      p = Optional.empty(); // a damaged local page is reported where the chat is read
    }
    pages.put(key, p);
    return p;
  }

  @Override
  public Optional<PublicCard> writerOf(RelationCodec.Ref ref) {
    Feed f = feeds().get(ref.tag());
    return f == null ? Optional.empty() : Optional.of(f.writer());
  }

  @Override
  public boolean couldHaveRead(Message relation, RelationCodec.Ref target) {
    Optional<RelationCodec.Ref> own = RelationCodec.ref(relation.id());
    Feed by = own.map(r -> feeds().get(r.tag())).orElse(null);
    Feed of = feeds().get(target.tag());
    if (by == null || of == null) {
      return true;
    }
    if (by == of) {
      return target.page() < relation.page() || (target.page() == relation.page() && target.slot() < relation.slot());
    }
    if (by.source() != of.source()) {
      return true; // another epoch: its pages say nothing about this one
    }
    Optional<Head> head = page(by, relation.page()).flatMap(p -> p.headOf(of.reader().feed.member()));
    return head.isPresent() && (target.page() < head.get().page()
        || (target.page() == head.get().page() && target.slot() < head.get().slots()));
  }

  @Override
  public Optional<Held> held(RelationCodec.Ref ref, Optional<RelationCodec.Ref> before) {
    Feed f = feeds().get(ref.tag());
    if (f == null || !f.source().visible().test(f.writer(), ref.page(), ref.slot())) {
      return Optional.empty();
    }
    Optional<Page> p = page(f, ref.page());
    if (p.isEmpty() || ref.slot() >= p.get().slots().size()) {
      return Optional.empty();
    }
    Optional<Message> m = Timeline.openOne(f.source().conversation(), f.reader(), ref.page(), p.get(), ref.slot());
    if (m.isEmpty()) {
      return Optional.empty();
    }
    // What its author did to it later: edits and deletes are in the author's own feed, after it, and name it in
    // field 3, which a held page shows without opening any slot.
    boolean deleted = false;
    long[] newestEdit = null;
    boolean checked = true;
    long newest;
    try {
      newest = f.reader().newestHeld();
    } catch (LocalStateException e) {
      newest = ref.page();
      checked = false;
    }
    RelationCodec.Ref end = before.filter(b -> b.tag().equals(ref.tag())).orElse(null);
    if (end != null) {
      newest = Math.min(newest, end.page());
    }
    for (long n = ref.page(); n <= newest && !deleted; n++) {
      Optional<Page> later = page(f, n);
      if (later.isEmpty()) {
        checked = false;
        break;
      }
      List<Slot> slots = later.get().slots();
      int stop = end != null && n == end.page() ? Math.min(end.slot(), slots.size()) : slots.size();
      for (int i = n == ref.page() ? ref.slot() + 1 : 0; i < stop; i++) {
        Slot s = slots.get(i);
        if (RelationCodec.isRelation(s.type()) && !s.type().equals(RelationCodec.REACTION)
            && RelationCodec.parseTarget(s.extension()).filter(ref::equals).isPresent()) {
          if (s.type().equals(RelationCodec.DELETE)) {
            deleted = true;
            break;
          }
          newestEdit = new long[] {n, i};
        }
      }
    }
    Optional<String> newestText = Optional.empty();
    if (!deleted && newestEdit != null && Message.TEXT.equals(m.get().type())) {
      long n = newestEdit[0];
      int slot = (int) newestEdit[1];
      newestText = page(f, n).flatMap(pg -> Timeline.openOne(f.source().conversation(), f.reader(), n, pg, slot))
          .flatMap(e -> StrictUtf8.decode(e.body())).filter(t -> !t.isBlank());
    }
    return Optional.of(new Held(m.get(), deleted, newestText, checked));
  }

  @Override
  public Optional<PublicCard> member(byte[] fingerprint) {
    for (Feed f : feeds().values()) {
      if (Arrays.equals(f.writer().fingerprint(), fingerprint)) {
        return Optional.of(f.writer());
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<Relations.Seen> seen(Message own) {
    Optional<RelationCodec.Ref> ref = RelationCodec.ref(own.id());
    Feed f = ref.map(r -> feeds().get(r.tag())).orElse(null);
    if (f == null || !f.reader().own) {
      return Optional.empty();
    }
    Map<Integer, Head> heads = readOfMine.computeIfAbsent(f.source(), s -> headsOfMine(s, f.reader().feed.member()));
    int by = 0;
    for (Head h : heads.values()) {
      if (own.page() < h.page() || (own.page() == h.page() && own.slot() < h.slots())) {
        by++;
      }
    }
    return Optional.of(new Relations.Seen(by, f.source().conversation().members().size() - 1));
  }

  /** How far each other member had read this member's feed, from the newest page of theirs held here. */
  private Map<Integer, Head> headsOfMine(Source s, int mine) {
    Map<Integer, Head> out = new HashMap<>();
    List<Feed> others = new ArrayList<>();
    for (Feed f : feeds().values()) {
      if (f.source() == s && !f.reader().own) {
        others.add(f);
      }
    }
    for (Feed f : others) {
      try {
        long n = f.reader().newestVerified();
        if (n > 0) {
          page(f, n, false).flatMap(p -> p.headOf(mine)).ifPresent(h -> out.put(f.reader().feed.member(), h));
        }
      } catch (LocalStateException e) {
        // nothing known of that member's reading
      }
    }
    return out;
  }
}
