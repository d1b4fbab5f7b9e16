package org.reschat.benchmarks.yardstick;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.Head;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.core.internal.page.PageWriter;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.spi.FeedId;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * ResChat's side of each comparison, as {@code reschat bench} measures it: the page path alone (seal the
 * slot, sign, seal the page), the whole {@code ChatClient.send} and the {@code update} that receives one new
 * message, on a memory store and memory state; a group send at 10 and 50 members; opening a full page.
 */
public final class ResChatSide implements AutoCloseable {
  private static final String TEXT = new String(Signal.HUNDRED, java.nio.charset.StandardCharsets.UTF_8);

  private final Conversation ab;
  private final Conversation ba;
  private final FeedId alicesFeed;
  private final String key;
  private final PageWriter writer;
  private Page tail;
  /** The same chat as a version-3 writer sees it (every version signed): the figure before §4.7. */
  private final Conversation abV3;
  private final PageWriter writerV3;
  private Page tailV3;
  private final String fullPage;
  private final ChatClient sender;
  private final ChatClient receiver;
  private final ChatId toBob;
  private final ChatId toAlice;
  private final Group group10;
  private final Group group50;

  public ResChatSide() throws Exception {
    SecureRandom random = new SecureRandom();
    Identity alice = Identity.generate(random);
    Identity bob = Identity.generate(random);
    // A direct chat where both read version 4 and the epoch is open (protocol §4.7): open tails tagged.
    ab = Conversation.pair(alice, bob.card()).withTails(new org.reschat.core.internal.conversation.TailRule(true, true));
    abV3 = Conversation.pair(alice, bob.card());
    writerV3 = new PageWriter(abV3);
    ba = Conversation.pair(bob, alice.card());
    alicesFeed = ba.feed(ba.indexOf(alice.card()));
    key = ab.pageKey(ab.myFeed(), 1);
    writer = new PageWriter(ab);
    Page page = null;
    for (int i = 0; i < 20; i++) {
      page = writer.append(page, List.of(), draft(i));
    }
    fullPage = Envelope.seal(ab, key, page);
    MemoryKvStore store = new MemoryKvStore();
    sender = ChatClient.builder().identity(alice).store(store).localState(new InMemoryLocalState()).build();
    receiver = ChatClient.builder().identity(bob).store(store).localState(new InMemoryLocalState()).build();
    toBob = ChatId.direct(bob.card());
    toAlice = ChatId.direct(alice.card());
    receiver.send(toAlice, TEXT); // both feeds exist, as in any conversation under way
    sender.update(toBob);
    receiver.update(toAlice); // each has read the other's notice: both read version 4 (protocol §4.7)
    sender.update(toBob);
    org.reschat.core.internal.feed.ConversationEngine engine = ((org.reschat.core.internal.feed.LedgerChatClient) sender).engine();
    if (!engine.withDevices(engine.currentWith(bob.card())).tails().tags(List.of("TEXT"))) {
      throw new IllegalStateException("the measured chat does not tag its open tail: it measures version 3");
    }
    group10 = new Group(10, random);
    group50 = new Group(50, random);
  }

  private static SlotSeal.Draft draft(long i) {
    return new SlotSeal.Draft("TEXT", 1_732_300_000_000L + i, new byte[0], Signal.HUNDRED);
  }

  /** Seal a message into the tail page, sign, seal the page for the ledger (bench's send_cpu_us_per_message). */
  public String pageSend() throws Exception {
    tail = tail == null || tail.isFull() ? null : tail;
    tail = writer.append(tail, List.of(), draft(1));
    return Envelope.seal(ab, key, tail);
  }

  /** {@link #pageSend} where every version is signed (version 3): what a chat does until both read version 4. */
  public String pageSendV3() throws Exception {
    tailV3 = tailV3 == null || tailV3.isFull() ? null : tailV3;
    tailV3 = writerV3.append(tailV3, List.of(), draft(1));
    return Envelope.seal(abV3, key, tailV3);
  }

  /** Open, verify and decrypt a page of 20 messages (divide by 20 for a message). */
  public int openFullPage() throws Exception {
    Page page = PageVerifier.openAndVerify(ba, alicesFeed, 1, key, fullPage);
    int bytes = 0;
    for (int i = 0; i < page.slots().size(); i++) {
      bytes += SlotSeal.open(ba, alicesFeed, page, i).length;
    }
    return bytes;
  }

  /** The whole {@code ChatClient.send} of one direct message (full_send_cpu_us). */
  public void fullSend() throws Exception {
    sender.send(toBob, TEXT);
  }

  /** The other side's {@code update} after {@link #fullSend}: receives exactly that message (live_receive_cpu_us). */
  public int liveReceive() throws Exception {
    int n = receiver.update(toAlice).received().size();
    if (n != 1) {
      throw new IllegalStateException("expected one new message, received " + n);
    }
    return n;
  }

  /** The receiver reads what {@link #fullSend} sent without it reading: so the next receive finds one message. */
  public void catchUp() throws Exception {
    receiver.update(toAlice);
  }

  /** One message into a group of {@code members} (10 or 50): seal, sign with the heads of the others, seal. */
  public String groupSend(int members) throws Exception {
    return (members == 10 ? group10 : group50).send();
  }

  /**
   * One message into a group of {@code members} where every device reads records (protocol §4.9): seal the slot, sign
   * the record (with the heads of the others), seal the record; every twentieth also closes the page, signed and sealed.
   */
  public String groupRecordSend(int members) throws Exception {
    return (members == 10 ? group10 : group50).sendRecord();
  }

  private static final class Group {
    final Conversation c;
    final String key;
    final List<Head> heads = new ArrayList<>();
    final PageWriter writer;
    Page tail;
    final Conversation asRecords;
    final org.reschat.core.internal.page.RecordWriter records;
    final List<org.reschat.core.internal.page.SlotRecord> open = new ArrayList<>();

    Group(int n, SecureRandom random) {
      Identity me = Identity.generate(random);
      List<PublicCard> members = new ArrayList<>();
      members.add(me.card());
      for (int i = 1; i < n; i++) {
        members.add(Identity.generate(random).card());
      }
      byte[] secret = new byte[32];
      random.nextBytes(secret);
      c = Conversation.of(me, secret, members);
      key = c.pageKey(c.myFeed(), 1);
      for (int i = 0; i < n; i++) { // the writer has read every other feed: the heads a page carries at size n
        if (i != c.myIndex()) {
          heads.add(new Head(i, 3, 20, new byte[8]));
        }
      }
      writer = new PageWriter(c);
      asRecords = c.withTails(org.reschat.core.internal.conversation.TailRule.groupEpoch(true));
      records = new org.reschat.core.internal.page.RecordWriter(asRecords);
    }

    String sendRecord() throws Exception {
      org.reschat.core.internal.page.SlotRecord r = records.append(1, new byte[32], open, heads, draft(1)).orElseThrow();
      open.add(r);
      String sealed = records.seal(r);
      if (open.size() == org.reschat.core.internal.page.PageLimits.SLOTS_PER_PAGE) {
        sealed = Envelope.seal(asRecords, key, records.close(open));
        open.clear();
      }
      return sealed;
    }

    String send() throws Exception {
      tail = tail == null || tail.isFull() ? null : tail;
      tail = writer.append(tail, heads, draft(1));
      return Envelope.seal(c, key, tail);
    }
  }

  @Override
  public void close() {
    sender.close();
    receiver.close();
  }
}
