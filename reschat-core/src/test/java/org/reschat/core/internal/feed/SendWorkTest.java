package org.reschat.core.internal.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Message;
import org.reschat.core.SendResult;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.page.Envelope;
import org.reschat.core.internal.page.PageVerifier;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.KvStore;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * The work a send and a live receive do, counted (never timed): pages opened and signatures checked, and
 * requests to the store. A send writes its page conditionally on the bytes this client last saw there (the
 * promise that a stale device never overwrites): one request and no read, and nothing to open or verify. The own tail and the other feed's newest page, opened by an earlier call, are not opened again,
 * and the message just sealed is not opened to be returned.
 */
class SendWorkTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final List<ChatClient> clients = new ArrayList<>();

  private ChatClient client(Identity id, KvStore store) {
    ChatClient c = ChatClient.builder().identity(id).store(store).localState(new InMemoryLocalState()).build();
    clients.add(c);
    return c;
  }

  @AfterEach
  void close() {
    clients.forEach(ChatClient::close);
  }

  @Test
  void aSendInAConversationUnderWayOpensAndVerifiesNothingAndIsOneConditionalWrite() throws Exception {
    RecordingKvStore store = new RecordingKvStore(new MemoryKvStore());
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    bob.send(ChatId.direct(a.card()), "hi");
    alice.update(ChatId.direct(b.card()));
    alice.send(ChatId.direct(b.card()), "first"); // pages this client holds are opened once, by some call
    for (int i = 0; i < 25; i++) { // across a page boundary
      long opened = Envelope.opens();
      long verified = PageVerifier.verifications();
      store.takeCalls(); // count this send's requests only
      SendResult sent = alice.send(ChatId.direct(b.card()), "message " + i);
      assertThat(sent.confirmed()).isTrue();
      assertThat(sent.message().text()).isEqualTo("message " + i);
      assertThat(sent.message().status()).isEqualTo(Message.Status.CONFIRMED);
      assertThat(Envelope.opens() - opened).as("envelopes opened by send %d", i).isZero();
      assertThat(PageVerifier.verifications() - verified).as("signatures checked by send %d", i).isZero();
      assertThat(store.takeCalls()).as("requests of send %d", i).extracting(RecordingKvStore.Call::op)
          .containsExactly(RecordingKvStore.Op.PUT_IF_UNCHANGED);
    }
    List<String> seen = bob.update(ChatId.direct(a.card())).received().stream().map(Message::text).toList();
    assertThat(seen).hasSize(26).startsWith("first", "message 0").endsWith("message 24");
  }

  @Test
  void aLiveReceiveOfOneMessageOpensAndVerifiesOnlyThatPage() throws Exception {
    MemoryKvStore store = new MemoryKvStore();
    ChatClient alice = client(a, store);
    ChatClient bob = client(b, store);
    bob.send(ChatId.direct(a.card()), "hi");
    alice.update(ChatId.direct(b.card()));
    alice.send(ChatId.direct(b.card()), "first");
    bob.update(ChatId.direct(a.card()));
    for (int i = 0; i < 25; i++) {
      alice.send(ChatId.direct(b.card()), "message " + i);
      long opened = Envelope.opens();
      long verified = PageVerifier.verifications();
      List<Message> got = bob.update(ChatId.direct(a.card())).received();
      assertThat(got).extracting(Message::text).containsExactly("message " + i);
      assertThat(Envelope.opens() - opened).as("envelopes opened by update %d", i).isEqualTo(1);
      assertThat(PageVerifier.verifications() - verified).as("signatures checked by update %d", i).isEqualTo(1);
    }
  }
}
