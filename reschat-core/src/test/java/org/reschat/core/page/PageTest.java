package org.reschat.core.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.reschat.core.FeedWarning;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.conversation.Conversation;
import org.reschat.core.crypto.Base64Url;
import org.reschat.core.crypto.Hpke;
import org.reschat.core.identity.Identity;
import org.reschat.core.testing.PageFixtures;
import org.reschat.core.testing.TestIdentities;

class PageTest {
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Identity carol = TestIdentities.named("carol");
  private final Conversation ab = Conversation.between(alice, bob.card());
  private final Conversation ba = Conversation.between(bob, alice.card());

  @Test
  void bothSidesDeriveTheSameOpaqueIds() {
    assertThat(ab.id()).isEqualTo(ba.id()).hasSize(22);
    assertThat(ab.myTag()).isEqualTo(ba.theirTag()).hasSize(11);
    assertThat(ab.theirTag()).isEqualTo(ba.myTag()).isNotEqualTo(ab.myTag());
    assertThat(ab.myFeed().key(7)).isEqualTo("rc1." + ab.id() + "." + ab.myTag() + ".7").matches("[A-Za-z0-9._~:-]+");
    // Nothing on the ledger names a card.
    assertThat(ab.myFeed().key(1)).doesNotContain(alice.card().toString().substring(4, 20));
    assertThat(Conversation.between(alice, carol.card()).id()).isNotEqualTo(ab.id());
    assertThatThrownBy(() -> Conversation.between(alice, alice.card())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pageRoundTripsThroughJsonAndOpensForBothParties() throws Exception {
    Page page = PageFixtures.page(alice, ab, 3);
    String json = PageCodec.toJson(page);
    Page parsed = PageCodec.parse(json);
    assertThat(parsed).isEqualTo(page);
    assertThat(parsed.hashText()).isEqualTo(page.hashText());
    PageVerifier.verify(parsed, ba, ba.theirFeed(), 1);
    PageVerifier.verify(parsed, ab, ab.myFeed(), 1);
    for (int i = 0; i < 3; i++) {
      assertThat(new String(PageOpener.open(bob, ba, parsed, i), StandardCharsets.UTF_8)).isEqualTo("m" + i);
      assertThat(new String(PageOpener.open(alice, ab, parsed, i), StandardCharsets.UTF_8)).isEqualTo("m" + i);
    }
    assertThatThrownBy(() -> PageOpener.open(carol, Conversation.between(carol, alice.card()), parsed, 0))
        .isInstanceOf(Hpke.OpenFailedException.class);
  }

  @Test
  void pagesFillAtTwentySlotsAndChainByHash() {
    Page[] pages = PageFixtures.pages(alice, ab, 45);
    assertThat(pages).hasSize(3);
    assertThat(pages[0].slots()).hasSize(20);
    assertThat(pages[1].slots()).hasSize(20);
    assertThat(pages[2].slots()).hasSize(5);
    assertThat(pages[0].previous()).isEqualTo(Page.NO_PREVIOUS);
    assertThat(pages[1].previous()).isEqualTo(pages[0].hashText());
    assertThat(pages[2].previous()).isEqualTo(pages[1].hashText());
  }

  @Test
  void aPageClosesEarlyWhenTheNextMessageWouldPushItPastTheByteCap() throws Exception {
    PageWriter pw = new PageWriter(alice, ab, Hpke.standard());
    byte[] big = "é".repeat(PageLimits.MAX_MESSAGE_BYTES / 2).getBytes(StandardCharsets.UTF_8);
    assertThat(big.length).isEqualTo(PageLimits.MAX_MESSAGE_BYTES);
    Page first = pw.append(null, new PageWriter.Draft("TEXT", 1, "", big));
    assertThat(PageCodec.utf8Length(PageCodec.toJson(first))).isLessThanOrEqualTo(PageLimits.MAX_PAGE_BYTES);
    // Two of the largest messages do not fit one page: the second starts page 2 after one slot.
    Page second = pw.append(first, new PageWriter.Draft("TEXT", 2, "", big));
    assertThat(second.number()).isEqualTo(2);
    assertThat(second.slots()).hasSize(1);
    assertThat(second.previous()).isEqualTo(first.hashText());
    // Small messages still fill the rest of a page that has room.
    Page third = pw.append(second, new PageWriter.Draft("TEXT", 3, "", "short".getBytes(StandardCharsets.UTF_8)));
    assertThat(third.number()).isEqualTo(2);
    assertThat(third.slots()).hasSize(2);
    assertThat(new String(PageOpener.open(bob, ba, PageCodec.parse(PageCodec.toJson(second)), 0), StandardCharsets.UTF_8))
        .isEqualTo(new String(big, StandardCharsets.UTF_8));
    assertThatThrownBy(() -> pw.append(null, new PageWriter.Draft("TEXT", 1, "", new byte[PageLimits.MAX_MESSAGE_BYTES + 1])))
        .isInstanceOf(InvalidMessageException.class).hasMessageContaining("16 KiB");
  }

  @Test
  void aFullPageOfTwentyHundredCharacterMessagesIsUnderTenKilobytes() throws Exception {
    PageWriter pw = new PageWriter(alice, ab, Hpke.standard());
    Page page = null;
    for (int i = 0; i < 20; i++) {
      page = pw.append(page, new PageWriter.Draft("TEXT", 1_732_300_000_000L + i, "",
          "a hundred characters of plain chat text, like what people type to each other all day long....... ".getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(page.slots()).hasSize(20);
    // Measured 9,1xx bytes; ResChat's RSA page of the same messages is about 30,220 bytes.
    assertThat(PageCodec.utf8Length(PageCodec.toJson(page))).isBetween(8_500, 9_500);
  }

  // --- every field altered in turn is rejected ---------------------------------------------------------

  @Test
  void everyHeaderFieldAlteredIsRejected() throws Exception {
    Page p = PageFixtures.page(alice, ab, 3);
    String otherConv = Base64Url.encode(new byte[16]);
    String otherTag = Base64Url.encode(new byte[8]);
    byte[] ones = new byte[32];
    java.util.Arrays.fill(ones, (byte) 0x11);
    String otherHash = Base64Url.encode(ones);
    String otherSig = Base64Url.encode(new byte[64]);
    expectRejected(new Page(p.version(), otherConv, p.writer(), p.number(), p.previous(), p.slots(), p.signature()),
        FeedWarning.Kind.MISPLACED);
    expectRejected(new Page(p.version(), p.conversation(), otherTag, p.number(), p.previous(), p.slots(), p.signature()),
        FeedWarning.Kind.MISPLACED);
    expectRejected(new Page(p.version(), p.conversation(), p.writer(), p.number(), otherHash, p.slots(), p.signature()),
        FeedWarning.Kind.FORGED);
    expectRejected(new Page(p.version(), p.conversation(), p.writer(), p.number(), p.previous(), p.slots(), otherSig),
        FeedWarning.Kind.FORGED);
    expectRejected(new Page(p.version(), p.conversation(), p.writer(), p.number(), p.previous(), p.slots().subList(0, 2),
        p.signature()), FeedWarning.Kind.FORGED);
    assertThatThrownBy(() -> PageVerifier.verify(p, ba, ba.theirFeed(), 2))
        .isInstanceOfSatisfying(PageRejectedException.class, e -> assertThat(e.kind()).isEqualTo(FeedWarning.Kind.MISPLACED));
    String v2 = PageCodec.toJson(p).replace("{\"v\":1,", "{\"v\":2,");
    assertThatThrownBy(() -> PageCodec.parse(v2)).isInstanceOfSatisfying(PageFormatException.class,
        e -> assertThat(e.reason()).isEqualTo(PageFormatException.Reason.UNSUPPORTED_VERSION));
  }

  @Test
  void everySlotFieldAlteredIsRejected() throws Exception {
    Page p = PageFixtures.page(alice, ab, 3);
    for (int slot = 0; slot < 3; slot++) {
      for (int field = 0; field < 6; field++) {
        String[] f = p.slots().get(slot).fields();
        f[field] = alter(field, f[field]);
        List<Slot> slots = new ArrayList<>(p.slots());
        slots.set(slot, new Slot(f[0], f[1], f[2], f[3], f[4], f[5]));
        Page altered = new Page(p.version(), p.conversation(), p.writer(), p.number(), p.previous(), slots, p.signature());
        assertThat(PageCodec.parse(PageCodec.toJson(altered))).isEqualTo(altered); // well-formed…
        expectRejected(altered, FeedWarning.Kind.FORGED); // …but not what the writer signed
      }
    }
  }

  private static String alter(int field, String value) {
    switch (field) {
      case 1:
        return "FILE";
      case 2:
        return Long.toString(Long.parseLong(value) + 1);
      case 3:
        return "x";
      default:
        char c = value.charAt(2);
        return value.substring(0, 2) + (c == 'A' ? 'B' : 'A') + value.substring(3);
    }
  }

  private void expectRejected(Page page, FeedWarning.Kind kind) {
    assertThatThrownBy(() -> PageVerifier.verify(PageCodec.parse(PageCodec.toJson(page)), ba, ba.theirFeed(), page.number()))
        .isInstanceOfSatisfying(PageRejectedException.class, e -> assertThat(e.kind()).isEqualTo(kind));
  }

  // --- a slot moved elsewhere, even re-signed by its writer, does not open ---------------------------------

  @Test
  void aSlotMovedToAnotherIndexPageFeedOrConversationDoesNotOpen() {
    Page[] pages = PageFixtures.pages(alice, ab, 22);
    Slot moved = pages[0].slots().get(0);

    List<Slot> swapped = new ArrayList<>(pages[0].slots());
    swapped.set(0, swapped.get(1));
    swapped.set(1, moved);
    Page otherIndex = PageFixtures.resign(alice, with(pages[0], swapped));
    assertDoesNotOpen(otherIndex, 1);

    List<Slot> intoNext = new ArrayList<>(pages[1].slots());
    intoNext.set(0, moved);
    assertDoesNotOpen(PageFixtures.resign(alice, with(pages[1], intoNext)), 0);

    // Into bob's own feed of the same conversation, signed by bob: neither copy opens.
    Page bobs = PageFixtures.page(bob, ba, 1);
    Slot asBobs = new Slot(ba.theirTag(), moved.type(), moved.timestamp(), moved.extension(), moved.forSender(), moved.forReceiver());
    Page bobPage = PageFixtures.resign(bob, with(bobs, List.of(asBobs)));
    assertThatThrownBy(() -> PageOpener.open(alice, ab, bobPage, 0)).isInstanceOf(Hpke.OpenFailedException.class);
    assertThatThrownBy(() -> PageOpener.open(bob, ba, bobPage, 0)).isInstanceOf(Hpke.OpenFailedException.class);

    // Into alice's conversation with carol.
    Conversation ac = Conversation.between(alice, carol.card());
    Page carolPage = PageFixtures.page(alice, ac, 1);
    Slot asCarols = new Slot(ac.theirTag(), moved.type(), moved.timestamp(), moved.extension(), moved.forSender(), moved.forReceiver());
    Page toCarol = PageFixtures.resign(alice, with(carolPage, List.of(asCarols)));
    assertThatThrownBy(() -> PageOpener.open(alice, ac, toCarol, 0)).isInstanceOf(Hpke.OpenFailedException.class);
    assertThatThrownBy(() -> PageOpener.open(carol, Conversation.between(carol, alice.card()), toCarol, 0))
        .isInstanceOf(Hpke.OpenFailedException.class);
  }

  private void assertDoesNotOpen(Page page, int index) {
    assertThatThrownBy(() -> PageOpener.open(bob, ba, page, index)).isInstanceOf(Hpke.OpenFailedException.class);
    assertThatThrownBy(() -> PageOpener.open(alice, ab, page, index)).isInstanceOf(Hpke.OpenFailedException.class);
  }

  private static Page with(Page p, List<Slot> slots) {
    return new Page(p.version(), p.conversation(), p.writer(), p.number(), p.previous(), slots, p.signature());
  }
}
