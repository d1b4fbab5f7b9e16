package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.DeviceException;
import org.reschat.core.DeviceInfo;
import org.reschat.core.DeviceJoin;
import org.reschat.core.Devices;
import org.reschat.core.Event;
import org.reschat.core.History;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.IdentityFile;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Linking a device (protocol §15.5): the new device gets the identity, its groups with their keys and its read
 * positions, reads the whole history, and is seen by friends at once; and the code's three rules: it works once,
 * only within its 10 minutes, and only for whoever holds it (an interceptor's request shows another check, and
 * the welcome opens for the requester device 0 answered alone).
 */
class LinkTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");
  private final Identity carol = TestIdentities.named("carol");
  private final byte[] app = "{\"friends\":[\"bob\",\"carol\"]}".getBytes(StandardCharsets.UTF_8);

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, InMemoryLocalState state, PublicCard... friends) {
    List<PublicCard> cards = List.of(friends);
    return clients.client(id, state, () -> cards);
  }

  private ChatClient client(Identity id, PublicCard... friends) {
    return client(id, new InMemoryLocalState(), friends);
  }

  private static List<Message> received(ChatClient c) throws Exception {
    List<Message> out = new ArrayList<>();
    c.receiver().receive(Receiver.Scope.everything(), e -> {
      if (e instanceof Event.MessageReceived m) {
        out.add(m.message());
      } else if (e instanceof Event.Warning w) {
        throw new AssertionError("warning: " + w.warning());
      }
    });
    return out;
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().map(Message::text).toList();
  }

  /** Links a device to {@code phone}; returns what the new device was handed. */
  private DeviceJoin.Joined link(ChatClient phone, String name) throws Exception {
    Devices.LinkOffer offer = phone.devices().offer();
    DeviceJoin join = DeviceJoin.start(store, offer.code(), name, clock);
    Devices.LinkRequest request = phone.devices().request(offer).orElseThrow();
    assertThat(request.check()).isEqualTo(join.check()).matches("[0-9]{5} [0-9]{5}");
    assertThat(request.name()).isEqualTo(name);
    assertThat(join.poll()).isEmpty(); // nothing until device 0 approves
    phone.devices().approve(offer, request, app);
    return join.poll().orElseThrow();
  }

  @Test
  void aDeviceLinkedAfterALongHistoryHasTheIdentityItsGroupsAndReadPositionsAndReadsItAll() throws Exception {
    ChatClient phone = client(alice, bob.card(), carol.card());
    ChatClient b = client(bob, alice.card());
    ChatClient c = client(carol, alice.card());
    for (int i = 0; i < 45; i++) {
      phone.send(ChatId.direct(bob.card()), "to bob " + i);
      b.send(ChatId.direct(alice.card()), "to alice " + i);
    }
    ChatId.Group trip = phone.groups().create("trip", List.of(bob.card(), carol.card()));
    b.update(ChatId.direct(alice.card()));
    c.update(ChatId.direct(alice.card()));
    for (int i = 0; i < 25; i++) {
      b.send(trip, "bob in the group " + i);
      phone.send(trip, "alice in the group " + i);
    }
    assertThat(received(phone)).isNotEmpty(); // Alice has read everything on her phone
    History phoneDirect = phone.history(ChatId.direct(bob.card()), HistoryRequest.all());
    History phoneGroup = phone.history(trip, HistoryRequest.all());

    DeviceJoin.Joined joined = link(phone, "laptop");
    assertThat(joined.identity().card()).isEqualTo(alice.card());
    assertThat(joined.identity().deviceNumber()).isEqualTo(1);
    assertThat(joined.identity().holdsIdentityKey()).isFalse();
    assertThat(joined.name()).isEqualTo("laptop");
    assertThat(joined.applicationState()).isEqualTo(app);
    InMemoryLocalState laptopState = new InMemoryLocalState();
    joined.importInto(laptopState);
    // Its identity file: version 3, and it opens to the same device.
    String file = IdentityFile.withoutPassphrase(joined.identity(), "alice");
    assertThat(file).contains("\"version\": 3").contains("\"device\": 1");
    assertThat(IdentityFile.device(file)).isEqualTo(1);
    Identity reopened = IdentityFile.open(file, null);
    assertThat(reopened.card()).isEqualTo(alice.card());
    assertThat(reopened.deviceNumber()).isEqualTo(1);
    ChatClient laptop = client(reopened, laptopState, bob.card(), carol.card());

    // The whole history, the same as on the phone, the phone's messages shown as sent.
    History direct = laptop.history(ChatId.direct(bob.card()), HistoryRequest.all());
    assertThat(direct.warnings()).isEmpty();
    assertThat(texts(direct.messages())).containsAll(texts(phoneDirect.messages())).hasSize(92); // the invitation and the notice too
    assertThat(direct.messages().stream().filter(m -> m.text().startsWith("to bob")))
        .allSatisfy(m -> assertThat(m.direction()).isEqualTo(Message.Direction.SENT));
    History group = laptop.history(trip, HistoryRequest.all());
    assertThat(group.warnings()).isEmpty();
    assertThat(texts(group.messages())).containsAll(texts(phoneGroup.messages()));
    assertThat(laptop.groups().list()).extracting(g -> g.name()).containsExactly("trip");
    // Read positions: nothing the phone had read arrives as new on the laptop.
    assertThat(received(laptop)).isEmpty();
    // Its devices, with names; the phone knows them too.
    assertThat(laptop.devices().mine()).extracting(DeviceInfo::number, DeviceInfo::thisDevice, d -> d.name().orElse(""))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, false, ""),
            org.assertj.core.groups.Tuple.tuple(1, true, "laptop"));
    assertThat(phone.devices().mine()).extracting(DeviceInfo::number).containsExactly(0, 1);

    // Friends see the new device at once: the notice makes them read the list, no 10 minutes' wait.
    assertThat(received(b)).extracting(Message::type).contains("LINKED_DEVICES");
    assertThat(b.devices().of(alice.card())).extracting(DeviceInfo::number).containsExactly(0, 1);
    laptop.send(ChatId.direct(bob.card()), "from the laptop");
    laptop.send(trip, "the laptop in the group");
    assertThat(texts(received(b))).containsExactly("from the laptop", "the laptop in the group");
    assertThat(texts(received(c))).contains("the laptop in the group");
    assertThat(texts(received(phone))).containsExactly("from the laptop", "the laptop in the group");
  }

  @Test
  void aCodeWorksOnlyWithinItsTenMinutes() throws Exception {
    ChatClient phone = client(alice, bob.card());
    Devices.LinkOffer offer = phone.devices().offer();
    assertThat(offer.expires()).isEqualTo(clock.instant().plusSeconds(600));
    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    assertThatThrownBy(() -> DeviceJoin.start(store, offer.code(), "laptop", clock))
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.EXPIRED));
    // A device whose clock is behind posts anyway: device 0 does not read the board once the code is over.
    DeviceJoin late = DeviceJoin.start(store, offer.code(), "laptop", new SettableClock(Instant.parse("2026-12-01T10:05:00Z")));
    assertThatThrownBy(() -> phone.devices().request(offer))
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.EXPIRED));
    assertThatThrownBy(() -> phone.devices().request(offer)) // and the code stays spent
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.SPENT));
    clock.advance(Duration.ofMinutes(2));
    assertThat(late.poll()).isEmpty(); // its own clock: still waiting, nothing to open
    assertThat(phone.devices().mine()).extracting(DeviceInfo::number).containsExactly(0);
  }

  @Test
  void aCodeWorksOnce() throws Exception {
    ChatClient phone = client(alice, bob.card());
    Devices.LinkOffer offer = phone.devices().offer();
    DeviceJoin first = DeviceJoin.start(store, offer.code(), "laptop", clock);
    Devices.LinkRequest request = phone.devices().request(offer).orElseThrow();
    phone.devices().approve(offer, request, app);
    assertThat(first.poll()).isPresent();
    // The same code again: device 0 reads no more requests and seals nothing more.
    DeviceJoin second = DeviceJoin.start(store, offer.code(), "tablet", clock);
    assertThatThrownBy(() -> phone.devices().request(offer))
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.SPENT));
    assertThatThrownBy(() -> phone.devices().approve(offer, request, app))
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.SPENT));
    assertThatThrownBy(second::poll) // the one welcome there is is not for it
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.NOT_THIS_DEVICE));
    assertThat(phone.devices().mine()).extracting(DeviceInfo::number).containsExactly(0, 1);
  }

  @Test
  void onlyItsHolderIsLinkedAnInterceptorShowsAnotherCheckAndCannotOpenTheWelcome() throws Exception {
    ChatClient phone = client(alice, bob.card());
    Devices.LinkOffer offer = phone.devices().offer();
    // Mallory saw the code over Alice's shoulder and is quicker than Alice's laptop.
    DeviceJoin mallory = DeviceJoin.start(store, offer.code(), "laptop", clock);
    DeviceJoin laptop = DeviceJoin.start(store, offer.code(), "laptop", clock);
    Devices.LinkRequest first = phone.devices().request(offer).orElseThrow();
    assertThat(first.check()).isEqualTo(mallory.check()).isNotEqualTo(laptop.check());
    // Alice compares the screens, they differ, she says no: the code is spent and nothing is linked.
    phone.devices().deny(offer);
    assertThatThrownBy(() -> phone.devices().approve(offer, first, app)).isInstanceOf(DeviceException.class);
    assertThat(mallory.poll()).isEmpty();
    assertThat(laptop.poll()).isEmpty();
    assertThat(phone.devices().mine()).extracting(DeviceInfo::number).containsExactly(0);

    // With a new code the laptop is first; Mallory, racing with the same code, cannot open what it is handed.
    Devices.LinkOffer again = phone.devices().offer();
    DeviceJoin real = DeviceJoin.start(store, again.code(), "laptop", clock);
    DeviceJoin racer = DeviceJoin.start(store, again.code(), "laptop", clock);
    Devices.LinkRequest request = phone.devices().request(again).orElseThrow();
    assertThat(request.check()).isEqualTo(real.check());
    phone.devices().approve(again, request, app);
    assertThat(real.poll()).isPresent();
    assertThatThrownBy(racer::poll)
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.NOT_THIS_DEVICE));
  }

  @Test
  void aMistypedCodeIsRefusedAndOnlyDeviceZeroLinks() throws Exception {
    ChatClient phone = client(alice, bob.card());
    String code = phone.devices().offer().code();
    assertThat(code).startsWith("rcl1:").hasSize(LinkCode.TEXT_LENGTH);
    String typo = code.substring(0, 20) + (code.charAt(20) == 'A' ? 'B' : 'A') + code.substring(21);
    assertThat(LinkCode.parse(code.substring(0, 40) + "\n" + code.substring(40))).isPresent(); // wrapped: fine
    assertThatThrownBy(() -> DeviceJoin.start(store, code.substring(1), "laptop", clock))
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.INVALID_CODE));
    // A typo in the secret part still parses; it names another board, where device 0 never looks.
    if (LinkCode.parse(typo).isPresent()) {
      DeviceJoin lost = DeviceJoin.start(store, typo, "laptop", clock);
      assertThat(lost.poll()).isEmpty();
    }
    ChatClient laptop = client(link(phone, "laptop").identity(), new InMemoryLocalState(), bob.card());
    assertThatThrownBy(() -> laptop.devices().offer())
        .isInstanceOfSatisfying(DeviceException.class, e -> assertThat(e.reason()).isEqualTo(DeviceException.Reason.NOT_DEVICE_ZERO));
  }
}
