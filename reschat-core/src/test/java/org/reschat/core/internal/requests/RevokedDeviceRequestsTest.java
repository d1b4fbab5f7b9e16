package org.reschat.core.internal.requests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.DeviceJoin;
import org.reschat.core.Devices;
import org.reschat.core.MessageRequest;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.board.Board;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Protocol §13 and §15.7: every device holds the identity's X25519 secret, so a revoked device K opened every
 * message request sealed to the identity key, first messages of new contacts included. Alice links a laptop and
 * revokes it; Dave, a stranger, then asks to talk to her. K, hostile, tries to open every value of her inbox.
 */
class RevokedDeviceRequestsTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity dave = TestIdentities.named("dave");
  private ChatClient phone;
  private Identity k;

  @BeforeEach
  void aliceLinkedHerLaptopAndRevokedIt() throws Exception {
    phone = clients.client(alice, new InMemoryLocalState(), List::of);
    Devices.LinkOffer offer = phone.devices().offer();
    DeviceJoin join = DeviceJoin.start(store, offer.code(), "laptop", clock);
    phone.devices().approve(offer, phone.devices().request(offer).orElseThrow(), new byte[0]);
    InMemoryLocalState kState = new InMemoryLocalState();
    DeviceJoin.Joined joined = join.poll().orElseThrow();
    joined.importInto(kState);
    k = joined.identity();
    phone.devices().revoke(1);
  }

  @AfterEach
  void close() {
    clients.close();
  }

  /** Every card K opens on Alice's board of this month, trying each value with its identity secret and its own DX. */
  private List<PublicCard> opensAsK() throws Exception {
    List<PublicCard> opened = new ArrayList<>();
    Board board = Inbox.board(alice.card(), YearMonth.from(clock.instant().atZone(ZoneOffset.UTC)));
    board.read(store, Board.Cursor.START,
        slot -> slot.payload().flatMap(sealed -> Inbox.open(k, Secrets.of(k).deviceAgreementSecret(), slot.key(), sealed)).ifPresent(opened::add));
    return opened;
  }

  @Test
  void aRevokedDeviceOpensNoRequestWrittenAfterTheRevocation() throws Exception {
    ChatClient d = clients.client(dave, new InMemoryLocalState(), () -> List.of(alice.card()));
    d.send(ChatId.direct(alice.card()), "hi Alice, Dave from the conference");
    clock.advance(MessageRequests.MAX_DELAY.plusMinutes(1));
    d.requests().postDue();

    List<MessageRequest> atPhone = phone.requests().pending(Set.of());
    assertThat(atPhone).extracting(MessageRequest::from).containsExactly(dave.card());
    assertThat(opensAsK()).isEmpty();
  }
}
