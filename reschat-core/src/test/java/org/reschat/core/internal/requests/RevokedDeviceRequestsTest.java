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
import org.reschat.core.internal.crypto.Padding;
import org.reschat.core.internal.device.DeviceList;
import org.reschat.core.internal.device.DeviceLog;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;
import org.reschat.kv.testing.RecordingKvStore;

/**
 * Protocol §13 and §15.7: every device holds the identity's X25519 secret, so a revoked device K opened every
 * message request sealed to the identity key, first messages of new contacts included. Alice links a laptop and
 * revokes it; Dave, a stranger, then asks to talk to her. K, hostile, tries to open every value of her inbox.
 */
class RevokedDeviceRequestsTest {
  private final MemoryKvStore memory = new MemoryKvStore();
  private final RecordingKvStore store = new RecordingKvStore(memory);
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity dave = TestIdentities.named("dave");
  private final Identity erin = TestIdentities.named("erin");
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
    board.read(memory, Board.Cursor.START,
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

  private YearMonth month() {
    return YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
  }

  /** Dave writes to each of {@code to} and, an hour on, his client posts the requests. */
  private ChatClient daveAsks(PublicCard... to) throws Exception {
    ChatClient d = clients.client(dave, new InMemoryLocalState(), () -> List.of(to));
    for (PublicCard card : to) {
      d.send(ChatId.direct(card), "hi, Dave from the conference");
    }
    clock.advance(MessageRequests.MAX_DELAY.plusMinutes(1));
    d.requests().postDue();
    return d;
  }

  private String requestValue(PublicCard owner) throws Exception {
    return memory.get(Inbox.board(owner, month()).key(1)).orElseThrow();
  }

  @Test
  void aRequestSealedToDevicesIsAsLongAsAPagePaddedToABucketAndTellsNotHowManyDevices() throws Exception {
    daveAsks(alice.card());
    // 16 seals whatever the number of devices (2 here): 1,824 bytes, a page envelope (1 + 16 + 1,792 + 16) whose
    // padded page is a Padmé length, so it is as long as a page of that bucket.
    assertThat(Padding.padme(1792)).isEqualTo(1792);
    assertThat(requestValue(alice.card())).hasSize(Board.encode(new byte[1 + 16 + 1792 + 16 - 1]).length())
        .hasSize(2434);
  }

  @Test
  void checkingAnInboxWithARequestSealedToDevicesReadsNoMoreThanWithOneSealedToTheIdentity() throws Exception {
    ChatClient e = clients.client(erin, new InMemoryLocalState(), List::of); // Erin has no device list
    daveAsks(alice.card(), erin.card());
    assertThat(requestValue(erin.card())).hasSize(407);
    assertThat(requestValue(alice.card())).hasSize(2434);
    store.takeCalls();
    assertThat(phone.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(dave.card());
    long aliceReads = store.takeCalls().stream().filter(c -> !c.wrote()).count();
    assertThat(e.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(dave.card());
    long erinReads = store.takeCalls().stream().filter(c -> !c.wrote()).count();
    assertThat(aliceReads).isEqualTo(erinReads);
  }

  @Test
  void valuesSealedToNoDeviceOfHersOrJunkOfTheSameLengthShowNothingAndCostNoMoreReads() throws Exception {
    Identity mallory = TestIdentities.named("mallory");
    String slot1 = Inbox.board(alice.card(), month()).key(1);
    String slot2 = Inbox.board(alice.card(), month()).key(2);
    byte[] stranger = new byte[32];
    new java.security.SecureRandom().nextBytes(stranger);
    byte[] notHers = new org.bouncycastle.crypto.params.X25519PrivateKeyParameters(stranger, 0).generatePublicKey()
        .getEncoded();
    // A hostile writer's requests: one sealed to a device key her list does not name, one to her revoked laptop's.
    memory.put(slot1, Board.encode(Inbox.sealToDevices(List.of(notHers), mallory.card(), slot1,
        org.reschat.core.internal.crypto.Hpke.standard(), new java.security.SecureRandom())));
    byte[] laptop = new org.bouncycastle.crypto.params.X25519PrivateKeyParameters(
        Secrets.of(k).deviceAgreementSecret().orElseThrow(), 0).generatePublicKey().getEncoded();
    memory.put(slot2, Board.encode(Inbox.sealToDevices(List.of(laptop), mallory.card(), slot2,
        org.reschat.core.internal.crypto.Hpke.standard(), new java.security.SecureRandom())));
    memory.put(Inbox.board(alice.card(), month()).key(3), Board.encode(new byte[Inbox.DEVICE_REQUEST]));
    store.takeCalls();
    assertThat(phone.requests().pending(Set.of())).isEmpty();
    assertThat(store.takeCalls().stream().filter(c -> !c.wrote() && c.key().equals(slot1))).hasSize(1);
  }

  @Test
  void aLedgerThatRollsTheListBackForARequesterWhoReadItGetsTheKeptListAndTheRequestStaysClosedToK()
      throws Exception {
    ChatClient d = clients.client(dave, new InMemoryLocalState(), () -> List.of(alice.card()));
    d.history(ChatId.direct(alice.card()), org.reschat.core.HistoryRequest.all()); // reads her list (entry 2)
    memory.put(DeviceLog.key(alice.card(), 2), "junk"); // the ledger withholds the revocation...
    memory.put(DeviceLog.key(alice.card(), 3), memory.get(DeviceLog.key(alice.card(), 1)).orElseThrow()); // ...and replays
    d.send(ChatId.direct(alice.card()), "hi Alice");
    clock.advance(MessageRequests.MAX_DELAY.plusMinutes(1)); // the list is due again when the request is posted
    d.requests().postDue();
    assertThat(requestValue(alice.card())).hasSize(2434);
    assertThat(opensAsK()).isEmpty();
  }

  @Test
  void aRequesterWhoNeverReadTheListCannotTellOneTheLedgerRolledBackAndSealsToTheIdentityKey() throws Exception {
    // The stated limit (protocol §13, §15.7): a first read cannot tell a withheld entry from none.
    memory.put(DeviceLog.key(alice.card(), 2), "junk");
    daveAsks(alice.card());
    assertThat(requestValue(alice.card())).hasSize(407);
    assertThat(opensAsK()).containsExactly(dave.card());
  }

  @Test
  void deviceZeroRestoredFromTheKeysAloneCannotOpenARequestSealedToDevices() throws Exception {
    // The stated cost (protocol §13, §15.11): such a copy lacks DX_0.
    daveAsks(alice.card());
    ChatClient restored = clients.client(alice, new InMemoryLocalState(), List::of);
    assertThat(restored.requests().pending(Set.of())).isEmpty();
    assertThat(phone.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(dave.card());
  }

  @Test
  void aRemainingLinkedDeviceOpensTheRequestWithItsOwnDeviceKey() throws Exception {
    Devices.LinkOffer offer = phone.devices().offer();
    DeviceJoin join = DeviceJoin.start(store, offer.code(), "tablet", clock);
    phone.devices().approve(offer, phone.devices().request(offer).orElseThrow(), new byte[0]);
    InMemoryLocalState tabletState = new InMemoryLocalState();
    DeviceJoin.Joined joined = join.poll().orElseThrow();
    joined.importInto(tabletState);
    daveAsks(alice.card());
    ChatClient tablet = clients.client(joined.identity(), tabletState, List::of);
    assertThat(tablet.requests().pending(Set.of())).extracting(MessageRequest::from).containsExactly(dave.card());
    assertThat(opensAsK()).isEmpty();
  }

  @Test
  void postingReadsTheListOnceAndAListNamesNoMoreDevicesThanARequestHasSeals() throws Exception {
    Set<String> aliceList = new java.util.HashSet<>();
    Set<String> erinList = new java.util.HashSet<>();
    for (int n = 1; n <= 64; n++) {
      aliceList.add(DeviceLog.key(alice.card(), n));
      erinList.add(DeviceLog.key(erin.card(), n));
    }
    ChatClient d = clients.client(dave, new InMemoryLocalState(), () -> List.of(alice.card(), erin.card()));
    d.send(ChatId.direct(alice.card()), "hi Alice");
    d.send(ChatId.direct(erin.card()), "hi Erin");
    clock.advance(MessageRequests.MAX_DELAY.plusMinutes(1));
    store.takeCalls();
    d.requests().postDue();
    List<RecordingKvStore.Call> calls = store.takeCalls();
    // Alice's list has 2 entries (the link, the revocation); Erin has none. Counted, not timed.
    assertThat(calls.stream().filter(c -> !c.wrote() && aliceList.contains(c.key()))).hasSize(5);
    assertThat(calls.stream().filter(c -> !c.wrote() && erinList.contains(c.key()))).hasSize(2);
    assertThat(Inbox.DEVICE_SEALS).isEqualTo(DeviceList.MAX_DEVICES);
    List<byte[]> seventeen = java.util.Collections.nCopies(DeviceList.MAX_DEVICES + 1, alice.card().encryptionKey());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Inbox.sealToDevices(seventeen, dave.card(), "k",
        org.reschat.core.internal.crypto.Hpke.standard(), new java.security.SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
