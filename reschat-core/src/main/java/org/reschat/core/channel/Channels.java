package org.reschat.core.channel;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.directory.Names;
import org.reschat.core.identity.Identity;
import org.reschat.kv.KvException;
import org.reschat.kv.KvStore;

/**
 * Public channels (protocol §12): a signed, unencrypted feed of posts that only the owner can write and
 * anyone with the id can read and verify. Readers keep the newest post they verified ({@link Copy}) and
 * check it is still there, unchanged, before anything newer counts: a rolled-back or rewritten channel is
 * reported, never silently accepted.
 *
 * <p>Reads are bounded as in a private feed: the tail is found by galloping and bisecting over posts that
 * verify, then reading forward over at most {@link #MAX_SKIP} values that do not.
 */
public final class Channels {
  /** Unverifiable values skipped in a row before a forward read stops. */
  public static final int MAX_SKIP = 8;
  private static final long MAX_POST = 1L << 40;
  private static final byte[] NO_PREV = new byte[32];

  private final KvStore store;
  private final Clock clock;

  public Channels(KvStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The newest post a reader verified: its number and hash. {@code n = 0}: nothing yet. */
  public record Copy(long n, byte[] hash) {
    public static final Copy EMPTY = new Copy(0, NO_PREV);

    public Copy {
      hash = hash.clone();
    }

    @Override
    public byte[] hash() {
      return hash.clone();
    }
  }

  /**
   * What a read found.
   *
   * @param posts verified posts, oldest first
   * @param copy the newest verified post now (unchanged when a problem was found)
   * @param problems security problems, one sentence each: rollback, rewritten post, broken chain
   * @param junk values that were not posts of this channel and were skipped
   */
  public record Read(List<ChannelPost> posts, Copy copy, List<String> problems, int junk) {
    public Read {
      posts = List.copyOf(posts);
      problems = List.copyOf(problems);
    }
  }

  /** Writes {@code text} as the owner's next post in channel {@code name}; returns it. */
  public ChannelPost post(Identity owner, String name, String text) throws KvException, InvalidMessageException {
    String normal = Names.normalise(name).orElseThrow(() ->
        new InvalidMessageException("A channel name is 1 to 32 letters, digits, '.', '_' or '-'."));
    if (text.isEmpty() || text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > ChannelPost.MAX_TEXT_BYTES) {
      throw new InvalidMessageException("A post is 1 to 4,096 bytes.");
    }
    ChannelId id = ChannelId.of(owner, normal);
    Read tail = read(id, Copy.EMPTY, 1);
    ChannelPost post = new ChannelPost(tail.copy().n() + 1, tail.copy().hash(), clock.instant(), normal, text);
    store.put(id.postKey(post.n()), post.sign(id, owner));
    return post;
  }

  /**
   * Reads channel {@code id}: with a copy, the posts after it; without ({@link Copy#EMPTY}), the newest
   * {@code newest} posts.
   */
  public Read read(ChannelId id, Copy copy, int newest) throws KvException {
    List<String> problems = new ArrayList<>();
    if (copy.n() > 0) {
      Optional<ChannelPost> known = get(id, copy.n());
      if (known.isEmpty()) {
        problems.add("Post " + copy.n() + ", which this computer verified before, is gone from the store or replaced by"
            + " something unsigned: the channel was rolled back or tampered with.");
        return new Read(List.of(), copy, problems, 0);
      }
      if (!java.util.Arrays.equals(known.get().hash(id), copy.hash())) {
        problems.add("Post " + copy.n() + " differs from the one this computer verified before: the owner rewrote it"
            + " (equivocation).");
        return new Read(List.of(), copy, problems, 0);
      }
      return forward(id, copy, problems, List.of());
    }
    // Gallop and bisect over posts that verify; junk moves nothing.
    long lo = 0;
    Optional<ChannelPost> loPost = Optional.empty();
    long hi = 1;
    while (hi < MAX_POST) {
      Optional<ChannelPost> p = get(id, hi);
      if (p.isEmpty()) {
        break;
      }
      lo = hi;
      loPost = p;
      hi *= 2;
    }
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      Optional<ChannelPost> p = get(id, mid);
      if (p.isPresent()) {
        lo = mid;
        loPost = p;
      } else {
        hi = mid;
      }
    }
    Copy found = loPost.map(p -> new Copy(p.n(), p.hash(id))).orElse(Copy.EMPTY);
    Read after = forward(id, found, problems, List.of());
    long tail = after.copy().n();
    // The newest posts up to the tail, each checked against the next one's prev.
    List<ChannelPost> window = new ArrayList<>();
    int junk = after.junk();
    for (long n = Math.max(1, tail - newest + 1); n <= tail; n++) {
      Optional<ChannelPost> p = get(id, n);
      if (p.isEmpty()) {
        junk++;
        continue;
      }
      if (!window.isEmpty() && window.get(window.size() - 1).n() == n - 1
          && !java.util.Arrays.equals(p.get().prev(), window.get(window.size() - 1).hash(id))) {
        problems.add("Post " + n + " does not follow post " + (n - 1) + ": the channel's chain is broken.");
      }
      window.add(p.get());
    }
    return new Read(window, after.copy(), problems, junk);
  }

  private Read forward(ChannelId id, Copy from, List<String> problems, List<ChannelPost> before) throws KvException {
    List<ChannelPost> posts = new ArrayList<>(before);
    Copy last = from;
    int junk = 0;
    int skipped = 0;
    for (long n = from.n() + 1; n < MAX_POST && skipped <= MAX_SKIP; n++) {
      Optional<String> value = store.get(id.postKey(n));
      if (value.isEmpty()) {
        break;
      }
      Optional<ChannelPost> p = ChannelPost.parse(id, n, value.get());
      if (p.isEmpty()) {
        junk++;
        skipped++;
        continue;
      }
      if (skipped == 0 && !java.util.Arrays.equals(p.get().prev(), last.hash())) {
        problems.add("Post " + n + " does not follow post " + last.n() + ": the channel's chain is broken.");
        break;
      }
      skipped = 0;
      posts.add(p.get());
      last = new Copy(n, p.get().hash(id));
    }
    return new Read(posts, last, problems, junk);
  }

  private Optional<ChannelPost> get(ChannelId id, long n) throws KvException {
    return store.get(id.postKey(n)).flatMap(v -> ChannelPost.parse(id, n, v));
  }
}
