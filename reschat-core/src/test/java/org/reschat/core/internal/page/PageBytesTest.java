package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.internal.crypto.Padding;
import org.reschat.core.spi.FeedId;
import org.reschat.core.testing.TestIdentities;

/**
 * What the writer and the envelope put on the ledger is protocol §4's grammar byte for byte, written out
 * here on its own (a {@link DataOutputStream}, nothing of {@link PageCodec}): so the bytes each slot keeps, the
 * body written into one array and the envelope sealed into one array change nothing a reader sees. The
 * published vectors have no heads and two slots; these pages have heads that move, several slots, a type
 * extension, and a tail that was parsed from the ledger before it grew.
 */
class PageBytesTest {
  private static final Identity ME = TestIdentities.named("alice");
  private static final Identity BOB = TestIdentities.named("bob");
  private static final Identity CAROL = TestIdentities.named("carol");
  private static final List<PublicCard> MEMBERS = List.of(ME.card(), BOB.card(), CAROL.card());
  private static final byte[] SECRET = new byte[32];

  static {
    Arrays.fill(SECRET, (byte) 7);
  }

  private static final Conversation MINE = Conversation.of(ME, SECRET, MEMBERS);
  private static final Conversation BOBS = Conversation.of(BOB, SECRET, MEMBERS);
  private static final FeedId MY_FEED_FOR_BOB = BOBS.feed(BOBS.indexOf(ME.card()));

  /** Protocol §4.2's page, from the page's fields. */
  static byte[] grammar(Page p) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(p.slots().stream().anyMatch(Slot::committing) ? 3 : 2);
    out.writeInt((int) p.number());
    out.write(p.previous());
    out.writeByte(p.heads().size());
    for (Head h : p.heads()) {
      out.writeByte(h.member());
      out.writeInt((int) h.page());
      out.writeByte(h.slots());
      out.write(h.hash8());
    }
    out.writeByte(p.slots().size());
    for (Slot s : p.slots()) {
      out.writeByte(s.receiver().length);
      out.write(s.receiver());
      byte[] type = s.type().getBytes(StandardCharsets.US_ASCII);
      out.writeByte(type.length);
      out.write(type);
      out.writeLong(s.timestampMillis());
      out.writeShort(s.extension().length);
      out.write(s.extension());
      out.writeByte(s.forSender().length);
      out.write(s.forSender());
      out.writeShort(s.forReceivers().length);
      out.write(s.forReceivers());
    }
    out.write(p.authenticator()); // the signature: a group page (protocol §4.7: groups sign every version)
    return bytes.toByteArray();
  }

  private static List<Head> othersAt(long page, int slots, int hashByte) {
    List<Head> heads = new ArrayList<>();
    for (int m = 0; m < MEMBERS.size(); m++) {
      if (m != MINE.myIndex()) {
        byte[] hash8 = new byte[8];
        Arrays.fill(hash8, (byte) (hashByte + m));
        heads.add(new Head(m, page + m, slots, hash8));
      }
    }
    return heads;
  }

  private static SlotSeal.Draft draft(String type, long at, String extension, String body) {
    return new SlotSeal.Draft(type, at, extension.getBytes(StandardCharsets.UTF_8), body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyVersionOfAGroupTailIsTheGrammarAndVerifies() throws Exception {
    PageWriter writer = new PageWriter(MINE);
    Page tail = null;
    for (int i = 0; i < 25; i++) { // past 20: the second page links to the first
      tail = writer.append(tail, othersAt(1 + i, 1 + i % 20, i), i % 3 == 0
          ? draft("REACTION", 1_700_000_000_000L + i, "{\"to\":\"x" + i + "\"}", "👍")
          : draft("TEXT", 1_700_000_000_000L + i, "", "message " + i + " ".repeat(i * 7)));
      assertThat(tail.encoded()).as("version %d", i).isEqualTo(grammar(tail));
      PageVerifier.verify(BOBS, MY_FEED_FOR_BOB, tail.number(), PageCodec.parse(tail.encoded()));
    }
    assertThat(tail.number()).isEqualTo(2);
  }

  @Test
  void aTailParsedFromTheLedgerGrowsIntoTheGrammar() throws Exception {
    PageWriter writer = new PageWriter(MINE);
    Page tail = null;
    for (int i = 0; i < 5; i++) {
      tail = writer.append(tail, othersAt(3, 20, 1), draft("TEXT", 1_700_000_000_000L + i, "", "before a restart " + i));
    }
    Page parsed = PageCodec.parse(tail.encoded());
    Page grown = writer.append(parsed, othersAt(4, 2, 9), draft("TEXT", 1_700_000_000_010L, "", "after"));
    assertThat(grown.encoded()).isEqualTo(grammar(grown));
    assertThat(parsed.isPrefixOf(grown)).isTrue();
  }

  @Test
  void theEnvelopeIsItsVersionByteThenThePaddedPageSealedUnderItsSalt() throws Exception {
    Page page = new PageWriter(MINE).append(null, othersAt(1, 1, 0), draft("TEXT", 1_700_000_000_000L, "", "sealed"));
    String key = MINE.pageKey(MINE.myFeed(), 1);
    byte[] before = page.encoded();
    byte[] raw = Base64Url.decode(Envelope.seal(MINE, key, page)).orElseThrow();
    assertThat(page.encoded()).as("the page's own bytes, which the envelope reads without a copy").isEqualTo(before);
    byte[] salt = Arrays.copyOfRange(raw, 1, 17);
    byte[] expected = MINE.envelopes().encryptWithSaltForTestVectorsOnly(salt, Padding.padToPadme(page.encoded()),
        ("reschat/v2 envelope\0" + key).getBytes(StandardCharsets.UTF_8));
    assertThat(raw[0]).isEqualTo((byte) 2);
    assertThat(Arrays.copyOfRange(raw, 1, raw.length)).isEqualTo(expected);
    assertThat(PageVerifier.openAndVerify(BOBS, MY_FEED_FOR_BOB, 1, key, Envelope.seal(MINE, key, page))).isEqualTo(page);
  }

  @Test
  void aSlotsAssociatedDataIsTheGrammarWithATypeExtension() throws Exception {
    byte[] writer = MINE.fingerprintOf(MINE.myFeed());
    byte[] extension = "{\"to\":\"an earlier message\"}".getBytes(StandardCharsets.UTF_8);
    for (int version : new int[] {PageCodec.LEGACY_VERSION, PageCodec.VERSION}) {
      for (int copy : new int[] {SlotSeal.FOR_SENDER, SlotSeal.FOR_RECEIVERS}) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(("reschat/v" + version + " slot\0").getBytes(StandardCharsets.UTF_8));
        out.writeByte(version);
        out.write(MINE.idBytes());
        out.write(writer);
        out.writeInt(70_000);
        out.writeByte(19);
        out.write(MINE.epochTag());
        out.writeByte(8);
        out.write("REACTION".getBytes(StandardCharsets.US_ASCII));
        out.writeLong(1_700_000_000_123L);
        out.writeShort(extension.length);
        out.write(extension);
        out.writeByte(copy);
        assertThat(SlotSeal.aad(MINE, version, writer, 70_000, 19, MINE.epochTag(), "REACTION", 1_700_000_000_123L,
            extension, copy)).isEqualTo(bytes.toByteArray());
      }
    }
  }

  @Test
  void aHeadHoldsExactlyTheEightBytesThePageHasRoomFor() {
    assertThatThrownBy(() -> new Head(1, 1, 1, new byte[7])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Head(1, 1, 1, new byte[9])).isInstanceOf(IllegalArgumentException.class);
    assertThat(new Head(1, 1, 1, new byte[8]).hash8()).hasSize(8);
  }
}
