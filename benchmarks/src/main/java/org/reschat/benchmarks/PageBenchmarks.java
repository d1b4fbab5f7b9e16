package org.reschat.benchmarks;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
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
import org.reschat.core.conversation.Conversation;
import org.reschat.core.crypto.Hpke;
import org.reschat.core.identity.Identity;
import org.reschat.core.page.Page;
import org.reschat.core.page.PageCodec;
import org.reschat.core.page.PageOpener;
import org.reschat.core.page.PageVerifier;
import org.reschat.core.page.PageWriter;

/** The CPU cost of sending (seal twice, sign, serialize) and of opening a full page. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PageBenchmarks {
  static final byte[] HUNDRED = ("Hundred characters of plain chat text, the kind people type to each other all day long, go!!!!!!!!!!")
      .getBytes(StandardCharsets.UTF_8);

  private Identity alice;
  private Identity bob;
  private Conversation bobsView;
  private PageWriter writer;
  private Page nineteen;
  private String fullPage;
  private byte[] recipient;
  private byte[] sealed;
  private byte[] signedBytes;

  @Setup
  public void setUp() throws Exception {
    SecureRandom random = new SecureRandom();
    alice = Identity.generate(random);
    bob = Identity.generate(random);
    Conversation ab = Conversation.between(alice, bob.card());
    bobsView = Conversation.between(bob, alice.card());
    writer = new PageWriter(alice, ab, Hpke.standard());
    Page page = null;
    for (int i = 0; i < 19; i++) {
      page = writer.append(page, new PageWriter.Draft("TEXT", 1_732_300_000_000L + i, "", HUNDRED));
    }
    nineteen = page;
    Page full = writer.append(nineteen, new PageWriter.Draft("TEXT", 1_732_300_000_019L, "", HUNDRED));
    fullPage = PageCodec.toJson(full);
    signedBytes = full.signedBytes();
    recipient = bob.card().encryptionKey();
    sealed = Hpke.standard().seal(recipient, PageWriter.HPKE_INFO, new byte[16], HUNDRED);
  }

  /** Sending one message into a page that has 19: two HPKE seals, a signature, the JSON. */
  @Benchmark
  public String sendOneMessage() throws Exception {
    return PageCodec.toJson(writer.append(nineteen, new PageWriter.Draft("TEXT", 1_732_300_000_019L, "", HUNDRED)));
  }

  /** Reading a full page: parse, verify the signature, open all 20 messages. */
  @Benchmark
  public int openFullPage() throws Exception {
    Page page = PageCodec.parse(fullPage);
    PageVerifier.verify(page, bobsView, bobsView.theirFeed(), page.number());
    int bytes = 0;
    for (int i = 0; i < page.slots().size(); i++) {
      bytes += PageOpener.open(bob, bobsView, page, i).length;
    }
    return bytes;
  }

  @Benchmark
  public byte[] hpkeSeal() {
    return Hpke.standard().seal(recipient, PageWriter.HPKE_INFO, new byte[16], HUNDRED);
  }

  @Benchmark
  public byte[] hpkeOpen() throws Exception {
    return bob.open(PageWriter.HPKE_INFO, new byte[16], sealed);
  }

  @Benchmark
  public byte[] ed25519SignPage() {
    return alice.sign(signedBytes);
  }

  @Benchmark
  public Page parsePage() throws Exception {
    return PageCodec.parse(fullPage);
  }
}
