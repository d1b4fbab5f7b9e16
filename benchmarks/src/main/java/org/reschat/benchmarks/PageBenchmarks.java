package org.reschat.benchmarks;

import org.reschat.core.internal.identity.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.FeedId;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.Page;
import org.reschat.core.internal.page.PageCodec;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.SlotSeal;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.core.internal.page.PageWriter;

/** The CPU cost of sending (seal twice, sign, serialize) and of opening a full page. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(3) // three JVMs: on a shared machine one fork's JIT decisions and neighbours are not the rule
public class PageBenchmarks {
  static final byte[] HUNDRED = ("Hundred characters of plain chat text, the kind people type to each other all day long, go!!!!!!!!!!")
      .getBytes(StandardCharsets.UTF_8);

  private Identity alice;
  private Conversation aliceView;
  private Conversation bobsView;
  private FeedId alicesFeed;
  private PageWriter writer;
  private Page nineteen;
  private String key;
  private String fullPage;
  private byte[] encoded;

  @Setup
  public void setUp() throws Exception {
    SecureRandom random = new SecureRandom();
    alice = Identity.generate(random);
    Identity bob = Identity.generate(random);
    aliceView = Conversation.pair(alice, bob.card());
    bobsView = Conversation.pair(bob, alice.card());
    alicesFeed = bobsView.feed(bobsView.indexOf(alice.card()));
    writer = new PageWriter(aliceView);
    key = aliceView.pageKey(aliceView.myFeed(), 1);
    Page page = null;
    for (int i = 0; i < 19; i++) {
      page = writer.append(page, List.of(), draft(i));
    }
    nineteen = page;
    Page full = writer.append(nineteen, List.of(), draft(19));
    fullPage = Envelope.seal(aliceView, key, full);
    encoded = full.encoded();
  }

  static SlotSeal.Draft draft(long i) {
    return new SlotSeal.Draft("TEXT", 1_732_300_000_000L + i, new byte[0], HUNDRED);
  }

  /** Sending one message into a page that has 19: seal two copies, sign, seal the page for the ledger. */
  @Benchmark
  public String sendOneMessage() throws Exception {
    return Envelope.seal(aliceView, key, writer.append(nineteen, List.of(), draft(19)));
  }

  /** Reading a full page: open the envelope, parse, verify the signature, open all 20 messages. */
  @Benchmark
  public int openFullPage() throws Exception {
    Page page = PageVerifier.openAndVerify(bobsView, alicesFeed, 1, key, fullPage);
    int bytes = 0;
    for (int i = 0; i < page.slots().size(); i++) {
      bytes += SlotSeal.open(bobsView, alicesFeed, page, i).length;
    }
    return bytes;
  }

  @Benchmark
  public byte[] sealOneMessageCopy() {
    return aliceView.messages().encrypt(HUNDRED, new byte[16]);
  }

  @Benchmark
  public byte[] ed25519SignPage() {
    return Secrets.of(alice).sign(encoded);
  }

  @Benchmark
  public Page parsePage() throws Exception {
    return PageCodec.parse(encoded);
  }
}
