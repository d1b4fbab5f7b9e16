package org.reschat.core.internal.relation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Content;
import org.reschat.core.Draft;
import org.reschat.core.Event;
import org.reschat.core.FeedWarning;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.Message;
import org.reschat.core.Receiver;
import org.reschat.core.Relations;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.internal.conversation.ConversationClient;
import org.reschat.core.spi.Contacts;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Replies, reactions, edits, deletes and read markers through the one chat API, and the rules the core applies
 * to what others send: a modified client (writing through the conversation layer, below the API's checks) is
 * how a hostile member is played.
 */
class RelationsTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final MemoryKvStore store = new MemoryKvStore();
  private final TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
  private final ChatClient alice = clients.client(a, new InMemoryLocalState(), () -> List.of(b.card()));
  private final ChatClient bob = clients.client(b, new InMemoryLocalState(), () -> List.of(a.card()));
  private final ChatId toBob = ChatId.direct(b.card());
  private final ChatId toAlice = ChatId.direct(a.card());

  @AfterEach
  void close() {
    clients.close();
  }

  private List<Message> history(ChatClient who, ChatId chat) throws Exception {
    return who.history(chat, HistoryRequest.all()).messages();
  }

  private static Message byId(List<Message> messages, String id) {
    return messages.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no " + id));
  }

  /** What a modified client of Bob's can write: any type, any field 3, no checks. */
  private void bobWrites(String type, byte[] extension, byte[] body) throws Exception {
    ConversationClient engine = TestClients.conversations(bob);
    Conversation c = engine.conversationWith(a.card());
    engine.send(c, type, extension, body);
  }

  private static byte[] to(String id) {
    return ("{\"v\":1,\"to\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<FeedWarning> notApplied(History h) {
    return h.warnings().stream().filter(w -> w.kind() == FeedWarning.Kind.NOT_APPLIED).toList();
  }

  // --- replies ---------------------------------------------------------------------------------------------

  @Test
  void aReplyShowsTheQuotedStartOfTheMessageItAnswers() throws Exception {
    String id = alice.send(toBob, "are we still on for Friday at the usual place?\nbring the map").message().id();
    bob.update(toAlice);
    Message reply = bob.send(toAlice, Draft.of("yes!").replyingTo(id)).message();

    for (ChatClient who : List.of(alice, bob)) {
      Message shown = byId(history(who, who == alice ? toBob : toAlice), reply.id());
      Content.Text text = (Content.Text) shown.content();
      assertThat(text.text()).isEqualTo("yes!");
      Content.Quote q = text.replyTo().orElseThrow();
      assertThat(q.id()).isEqualTo(id);
      assertThat(q.held()).isTrue();
      assertThat(q.author()).contains(a.card());
      assertThat(q.start()).contains("are we still on for Friday at the usual place? bring the map");
    }
  }

  @Test
  void aReplyToAMissingMessageShowsAMessageYouDoNotHave() throws Exception {
    String aliceTag = alice.send(toBob, "hello").message().id().split(":")[0];
    bob.update(toAlice);
    // Bob's client refuses to answer a message it does not hold.
    assertThatThrownBy(() -> bob.send(toAlice, Draft.of("what?").replyingTo(aliceTag + ":7:3")))
        .isInstanceOf(InvalidMessageException.class).hasMessageContaining("no message");
    // A modified client writes it anyway: Alice sees the text, quoting a message she does not have.
    bobWrites(Message.TEXT, utf8("{\"v\":1,\"reply_to\":\"" + aliceTag + ":7:3\"}"), utf8("what?"));
    Message shown = history(alice, toBob).stream().filter(m -> m.text().equals("what?")).findFirst().orElseThrow();
    Content.Quote q = ((Content.Text) shown.content()).replyTo().orElseThrow();
    assertThat(q.held()).isFalse();
    assertThat(q.start()).isEmpty();
    assertThat(q.author()).contains(a.card()); // the id names her feed, so whose it would be is known
  }

  // --- edits -----------------------------------------------------------------------------------------------

  @Test
  void anEditShowsTheNewestTextAndKeepsTheEarlierOnes() throws Exception {
    Message original = alice.send(toBob, "meet at 5").message();
    alice.edit(toBob, original.id(), "meet at 6");
    Message last = alice.edit(toBob, original.id(), "meet at 7").message();
    assertThat(last.content()).isEqualTo(new Content.Edit(new Content.Quote(original.id(), Optional.of(a.card()), true,
        Optional.of("meet at 6"), false), "meet at 7"));

    for (ChatClient who : List.of(alice, bob)) {
      List<Message> h = history(who, who == alice ? toBob : toAlice);
      assertThat(h).extracting(Message::id).containsExactly(original.id()); // edits are folded, not listed
      Message m = h.get(0);
      assertThat(m.text()).isEqualTo("meet at 7");
      assertThat(m.relations().edited()).contains(last.sentAt());
      assertThat(m.relations().earlier()).extracting(Relations.Version::text).containsExactly("meet at 5", "meet at 6");
      assertThat(m.relations().edits()).isEqualTo(2);
    }
  }

  @Test
  void aForgedEditIsNotAppliedAndNamesItsWriter() throws Exception {
    String id = alice.send(toBob, "I owe Bob 10").message().id();
    bob.update(toAlice);
    assertThatThrownBy(() -> bob.edit(toAlice, id, "I owe Bob 1000")).isInstanceOf(InvalidMessageException.class)
        .hasMessageContaining("not yours");
    bobWrites(RelationCodec.EDIT, to(id), utf8("I owe Bob 1000")); // a modified client

    History seen = alice.history(toBob, HistoryRequest.all());
    Message m = byId(seen.messages(), id);
    assertThat(m.text()).isEqualTo("I owe Bob 10");
    assertThat(m.relations().edited()).isEmpty();
    assertThat(notApplied(seen)).singleElement().satisfies(w -> {
      assertThat(w.claimedBy()).contains(b.card());
      assertThat(w.writer()).isEqualTo(b.card());
      assertThat(w.detail()).startsWith(FeedWarning.shortName(b.card()) + " sent an edit of message " + id)
          .contains("someone else wrote").contains("not applied");
      assertThat(w.kind().isSecurityProblem()).isTrue();
    });
    // Bob's own client shows the same: nobody's screen changes Alice's words.
    assertThat(byId(history(bob, toAlice), id).text()).isEqualTo("I owe Bob 10");
  }

  @Test
  void aForgedEditOfAMessageOutsideWhatWasLoadedIsRefusedToo() throws Exception {
    String id = alice.send(toBob, "old words").message().id();
    for (int i = 0; i < 25; i++) {
      alice.send(toBob, "filler " + i); // the old message is on Alice's page 1; the newest page is her page 2
    }
    bob.update(toAlice);
    bobWrites(RelationCodec.EDIT, to(id), utf8("new words"));
    bob.react(toAlice, id, "👀"); // allowed: anyone may react
    History newest = alice.history(toBob, HistoryRequest.newest(1));
    assertThat(newest.messages()).extracting(Message::id).doesNotContain(id);
    assertThat(notApplied(newest)).singleElement().satisfies(w -> assertThat(w.claimedBy()).contains(b.card()));
    Message m = byId(history(alice, toBob), id);
    assertThat(m.text()).isEqualTo("old words");
    assertThat(m.relations().reactions()).containsExactly(new Relations.Reaction("👀", b.card()));
  }

  @Test
  void anEditStormKeepsABoundedHistoryOfEarlierTexts() throws Exception {
    String id = alice.send(toBob, "v0").message().id();
    for (int i = 1; i <= 40; i++) {
      alice.edit(toBob, id, "v" + i);
    }
    Message m = byId(history(bob, toAlice), id);
    assertThat(m.text()).isEqualTo("v40");
    assertThat(m.relations().edits()).isEqualTo(40);
    assertThat(m.relations().earlier()).hasSize(Relations.MAX_EARLIER);
    assertThat(m.relations().earlier().get(Relations.MAX_EARLIER - 1).text()).isEqualTo("v39");
  }

  // --- deletes ---------------------------------------------------------------------------------------------

  @Test
  void aDeleteHidesTheMessageForEveryone() throws Exception {
    Message original = alice.send(toBob, "my address is 1 Secret Lane").message();
    bob.update(toAlice);
    bob.react(toAlice, original.id(), "👍");
    alice.delete(toBob, original.id());
    for (ChatClient who : List.of(alice, bob)) {
      Message m = byId(history(who, who == alice ? toBob : toAlice), original.id());
      assertThat(m.relations().deleted()).isTrue();
      assertThat(m.text()).isEmpty();
      assertThat(m.body()).isEmpty();
      assertThat(m.relations().reactions()).isEmpty();
    }
    // Nothing changes a deleted message, and a reply to it quotes nothing of it.
    assertThatThrownBy(() -> alice.edit(toBob, original.id(), "x")).hasMessageContaining("deleted");
    assertThatThrownBy(() -> bob.react(toAlice, original.id(), "❤️")).hasMessageContaining("deleted");
    Message reply = bob.send(toAlice, Draft.of("noted").replyingTo(original.id())).message();
    Content.Quote q = ((Content.Text) byId(history(alice, toBob), reply.id()).content()).replyTo().orElseThrow();
    assertThat(q.deleted()).isTrue();
    assertThat(q.start()).isEmpty();
  }

  @Test
  void aForgedDeleteIsNotApplied() throws Exception {
    String id = alice.send(toBob, "the plan stands").message().id();
    bob.update(toAlice);
    assertThatThrownBy(() -> bob.delete(toAlice, id)).isInstanceOf(InvalidMessageException.class);
    bobWrites(RelationCodec.DELETE, to(id), new byte[0]);
    History seen = alice.history(toBob, HistoryRequest.all());
    assertThat(byId(seen.messages(), id).relations().deleted()).isFalse();
    assertThat(byId(seen.messages(), id).text()).isEqualTo("the plan stands");
    assertThat(notApplied(seen)).singleElement().satisfies(w -> assertThat(w.claimedBy()).contains(b.card()));
  }

  // --- reactions -------------------------------------------------------------------------------------------

  @Test
  void aPersonsNewerReactionReplacesTheirEarlierOne() throws Exception {
    String id = alice.send(toBob, "lunch?").message().id();
    bob.update(toAlice);
    bob.react(toAlice, id, "👍");
    alice.react(toBob, id, "🍕");
    bob.react(toAlice, id, "❤️");
    Message m = byId(history(alice, toBob), id);
    assertThat(m.relations().reactions()).containsExactly(new Relations.Reaction("🍕", a.card()),
        new Relations.Reaction("❤️", b.card()));
    bob.removeReaction(toAlice, id);
    assertThat(byId(history(alice, toBob), id).relations().reactions()).containsExactly(new Relations.Reaction("🍕", a.card()));
    assertThatThrownBy(() -> bob.react(toAlice, id, "two words")).isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void aReactionToNoMessageIsRefusedAndNamesItsWriter() throws Exception {
    String id = alice.send(toBob, "one").message().id();
    String aliceTag = id.split(":")[0];
    bob.update(toAlice);
    bobWrites(RelationCodec.REACTION, to(aliceTag + ":1:5"), utf8("👍")); // past what Bob's page says he read
    bobWrites(RelationCodec.REACTION, to("AAAAAAAAAAA:1:0"), utf8("👍")); // a feed this chat does not have
    bobWrites(RelationCodec.REACTION, utf8("{\"v\":1}"), utf8("👍")); // names nothing
    History seen = alice.history(toBob, HistoryRequest.all());
    assertThat(notApplied(seen)).hasSize(3).allSatisfy(w -> assertThat(w.claimedBy()).contains(b.card()));
    assertThat(byId(seen.messages(), id).relations().reactions()).isEmpty();
    assertThat(seen.messages()).extracting(Message::type).containsOnly(Message.TEXT);
  }

  @Test
  void reactionsToThousandsOfIdsCostBoundedWarningsAndNoGrowth() throws Exception {
    String aliceTag = alice.send(toBob, "one").message().id().split(":")[0];
    bob.update(toAlice);
    for (int i = 0; i < 200; i++) {
      bobWrites(RelationCodec.REACTION, to(aliceTag + ":" + (1000 + i) + ":0"), utf8("👍"));
    }
    History seen = alice.history(toBob, HistoryRequest.all());
    assertThat(notApplied(seen)).hasSize(Fold.MAX_WARNINGS + 1);
    assertThat(notApplied(seen).get(Fold.MAX_WARNINGS).detail()).startsWith((200 - Fold.MAX_WARNINGS) + " more");
    assertThat(seen.messages()).hasSize(1);
  }

  // --- what the receiver hands out -------------------------------------------------------------------------

  @Test
  void theReceiverHandsOutTypedRelationsAndRefusedOnesAsWarnings() throws Exception {
    String id = alice.send(toBob, "ship it?").message().id();
    bob.receiver().receive(Receiver.Scope.everything(), e -> { });
    bob.react(toAlice, id, "🚀");
    bobWrites(RelationCodec.EDIT, to(id), utf8("don't ship it"));
    List<Event> events = new ArrayList<>();
    alice.receiver().receive(Receiver.Scope.everything(), events::add);
    List<Content> contents = events.stream().filter(e -> e instanceof Event.MessageReceived)
        .map(e -> ((Event.MessageReceived) e).message().content()).toList();
    assertThat(contents).singleElement().isInstanceOfSatisfying(Content.Reaction.class, r -> {
      assertThat(r.emoji()).contains("🚀");
      assertThat(r.to().id()).isEqualTo(id);
      assertThat(r.to().start()).contains("ship it?");
    });
    assertThat(events).filteredOn(e -> e instanceof Event.Warning).singleElement()
        .satisfies(e -> assertThat(((Event.Warning) e).warning().kind()).isEqualTo(FeedWarning.Kind.NOT_APPLIED));
  }

  @Test
  void aMessageDeletedInTheSameBatchIsHandedOutWithoutItsText() throws Exception {
    Message m = alice.send(toBob, "oops, wrong chat").message();
    alice.delete(toBob, m.id());
    List<Message> got = bob.update(toAlice).received();
    assertThat(got).hasSize(2);
    assertThat(got.get(0).relations().deleted()).isTrue();
    assertThat(got.get(0).text()).isEmpty();
    assertThat(got.get(1).content()).isInstanceOfSatisfying(Content.Delete.class, d -> {
      assertThat(d.to().start()).isEmpty(); // the line saying it is gone does not quote it
      assertThat(d.to().deleted()).isTrue();
    });
  }

  // --- read markers ----------------------------------------------------------------------------------------

  @Test
  void seenComesFromWhatTheOthersPagesSayTheyRead() throws Exception {
    Message first = alice.send(toBob, "one").message();
    assertThat(byId(history(alice, toBob), first.id()).relations().seen()).contains(new Relations.Seen(0, 1));
    bob.update(toAlice); // read, but nothing written: Alice cannot know
    assertThat(alice.seen(toBob, first.id())).contains(new Relations.Seen(0, 1));
    bob.send(toAlice, "got it");
    alice.update(toBob);
    assertThat(alice.seen(toBob, first.id())).contains(new Relations.Seen(1, 1));
    assertThat(byId(history(alice, toBob), first.id()).relations().seen().orElseThrow().byAll()).isTrue();
    // Only for one's own messages.
    assertThat(history(alice, toBob).stream().filter(m -> m.direction() == Message.Direction.RECEIVED)
        .map(m -> m.relations().seen())).containsOnly(Optional.empty());
  }

  // --- the generic send cannot bypass the rules --------------------------------------------------------------

  @Test
  void relationTypesAreNotSentThroughTheGenericSend() throws Exception {
    String id = alice.send(toBob, "x").message().id();
    assertThatThrownBy(() -> alice.send(toBob, RelationCodec.DELETE, to(id), new byte[0]))
        .isInstanceOf(InvalidMessageException.class);
  }
}
