package org.reschat.core.internal.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.DeviceJoin;
import org.reschat.core.Devices;
import org.reschat.core.InvalidMessageException;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.internal.conversation.Conversation;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * The self channel (protocol §15.6): a change one device tells reaches the identity's other devices once, in
 * one order; an identity without linked devices writes and reads nothing; a revoked device's later changes
 * reach nobody; nobody else's secret opens it.
 */
class SelfChannelTest {
  private final MemoryKvStore store = new MemoryKvStore();
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final TestClients clients = new TestClients(store, clock);
  private final Identity alice = TestIdentities.named("alice");
  private final Identity bob = TestIdentities.named("bob");

  @AfterEach
  void close() {
    clients.close();
  }

  private ChatClient client(Identity id, InMemoryLocalState state, PublicCard... friends) {
    List<PublicCard> cards = List.of(friends);
    return clients.client(id, state, () -> cards);
  }

  /** Links a new device to {@code phone} (device 0 of Alice) and returns its client. */
  private ChatClient link(ChatClient phone, String name) throws Exception {
    TestClients.Linked linked = clients.link(phone, name);
    return client(linked.identity(), linked.state(), bob.card());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> bodies(List<Devices.SelfChange> changes) {
    return changes.stream().map(c -> c.kind() + " " + new String(c.body(), StandardCharsets.UTF_8)).toList();
  }

  @Test
  void anIdentityWithoutLinkedDevicesWritesAndReadsNothing() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    int before = store.keys().size();
    assertThat(phone.devices().tellOtherDevices("FRIEND", utf8("{\"nickname\":\"bob\"}"), "added bob")).isFalse();
    assertThat(phone.devices().fromOtherDevices()).isEmpty();
    assertThat(store.keys()).hasSize(before);
    assertThatThrownBy(() -> phone.devices().tellOtherDevices("friend", new byte[0], null))
        .isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void aChangeOneDeviceTellsReachesEveryOtherDeviceOnceInOneOrder() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient laptop = link(phone, "laptop");
    ChatClient tablet = link(phone, "tablet");

    assertThat(phone.devices().tellOtherDevices("FRIEND", utf8("1"), "added bob")).isTrue();
    assertThat(phone.devices().tellOtherDevices("FRIEND", utf8("2"), "renamed bob")).isTrue();
    clock.advance(java.time.Duration.ofSeconds(1));
    assertThat(laptop.devices().tellOtherDevices("CHANNEL", utf8("3"), null)).isTrue();

    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactly("FRIEND 1", "FRIEND 2", "CHANNEL 3");
    assertThat(tablet.devices().fromOtherDevices()).isEmpty(); // each once
    assertThat(bodies(laptop.devices().fromOtherDevices())).containsExactly("FRIEND 1", "FRIEND 2");
    assertThat(bodies(phone.devices().fromOtherDevices())).containsExactly("CHANNEL 3");
    assertThat(phone.devices().fromOtherDevices()).isEmpty();
  }

  /**
   * The receiver delivers the other devices' changes as {@link org.reschat.core.Event.FromOtherDevice}, first in
   * a pass and whatever its scope; a listener that fails gets them again; each once after that.
   */
  @Test
  void theReceiverDeliversTheOtherDevicesChangesAsEventsOnceAfterTheListenerReturned() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient laptop = link(phone, "laptop");
    phone.devices().tellOtherDevices("FRIEND", utf8("one"), "first");
    phone.devices().tellOtherDevices("CHANNEL", utf8("two"), null);
    java.util.List<String> got = new java.util.ArrayList<>();
    org.reschat.core.Receiver.Listener failing = e -> {
      if (e instanceof org.reschat.core.Event.FromOtherDevice) {
        throw new IllegalStateException("the application could not apply it");
      }
    };
    assertThatThrownBy(() -> laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), failing))
        .isInstanceOf(IllegalStateException.class);
    org.reschat.core.Receiver.Listener listener = e -> {
      if (e instanceof org.reschat.core.Event.FromOtherDevice f) {
        got.add(f.change().kind() + " " + new String(f.change().body(), StandardCharsets.UTF_8));
      }
      assertThat(e.chat()).as("a change of the identity is about no chat").isEqualTo(
          e instanceof org.reschat.core.Event.FromOtherDevice ? java.util.Optional.empty() : e.chat());
    };
    // A view of one chat gets them too.
    laptop.receiver().receive(org.reschat.core.Receiver.Scope.only(org.reschat.core.ChatId.direct(bob.card())), listener);
    assertThat(got).containsExactly("FRIEND one", "CHANNEL two");
    laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), listener);
    assertThat(got).hasSize(2);
    assertThat(laptop.devices().fromOtherDevices()).isEmpty();
    // Both ways, and read positions are never among them.
    laptop.devices().tellOtherDevices("FRIEND", utf8("three"), null);
    java.util.List<String> onPhone = new java.util.ArrayList<>();
    phone.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> {
      if (e instanceof org.reschat.core.Event.FromOtherDevice f) {
        onPhone.add(f.change().kind() + " " + new String(f.change().body(), StandardCharsets.UTF_8));
      }
    });
    assertThat(onPhone).containsExactly("FRIEND three");
  }

  /**
   * {@code SELF_GROUP}: a group created (or joined) on one device is held by the others with its keys, shown
   * as joined; one left there is marked left here; the application cannot write the engine's own kinds.
   */
  @Test
  void aGroupCreatedOrLeftOnOneDeviceIsHeldOrLeftOnTheOthers() throws Exception {
    InMemoryLocalState phoneState = new InMemoryLocalState();
    ChatClient phone = client(alice, phoneState, bob.card());
    ChatClient laptop = link(phone, "laptop");
    ChatClient bobs = client(bob, new InMemoryLocalState(), alice.card());
    org.reschat.core.ChatId.Group trip = phone.groups().create("trip", List.of(bob.card()));
    java.util.List<org.reschat.core.Event> got = new java.util.ArrayList<>();
    laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), got::add);
    assertThat(got).anyMatch(e -> e instanceof org.reschat.core.Event.GroupJoined j && j.in().equals(trip)
        && j.name().equals("trip"));
    assertThat(got).noneMatch(e -> e instanceof org.reschat.core.Event.FromOtherDevice);
    assertThat(laptop.groups().info(trip)).hasValueSatisfying(g -> assertThat(g.status())
        .isEqualTo(org.reschat.core.GroupInfo.Status.ACTIVE));
    // With its keys: what the laptop sends there, Bob reads as Alice's.
    bobs.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
    laptop.send(trip, "from the laptop");
    java.util.List<String> atBob = new java.util.ArrayList<>();
    bobs.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> {
      if (e instanceof org.reschat.core.Event.MessageReceived m && m.in().equals(trip)) {
        atBob.add(m.message().sender() + " " + m.message().text());
      }
    });
    assertThat(atBob).containsExactly(alice.card() + " from the laptop");
    // What needs the identity's signing key, only the first device does; the laptop says so.
    assertThatThrownBy(() -> laptop.groups().create("other", List.of(bob.card())))
        .isInstanceOfSatisfying(org.reschat.core.GroupException.class, e -> assertThat(e.reason())
            .isEqualTo(org.reschat.core.GroupException.Reason.NOT_ALLOWED)).hasMessageContaining("first device");
    assertThatThrownBy(() -> laptop.groups().leave(trip)).hasMessageContaining("last admin");
    String before = phoneState.group(trip.id()).orElseThrow();
    phone.groups().setAdmin(trip, bob.card(), true);
    laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
    // The rotation the phone made reached the laptop with its keys (the phone invites nobody of its own).
    assertThat(laptop.groups().info(trip).orElseThrow().epoch()).isEqualTo(phone.groups().info(trip).orElseThrow().epoch());
    assertThat(laptop.groups().info(trip).orElseThrow().admins()).contains(bob.card());
    // An older state (one epoch fewer), or one not sealed by this identity, changes nothing.
    org.reschat.core.internal.group.Groups engine = ((org.reschat.core.internal.feed.LedgerChatClient) laptop).groupEngine();
    String epoch = laptop.groups().info(trip).orElseThrow().epoch();
    assertThat(engine.fromOtherDevice(trip.id(), before)).isEmpty();
    assertThat(engine.fromOtherDevice(trip.id(), "AQIDBA")).isEmpty();
    assertThat(engine.fromOtherDevice("AAAAAAAAAAAAAAAAAAAAAA", before)).isEmpty();
    assertThat(laptop.groups().info(trip).orElseThrow().epoch()).isEqualTo(epoch);
    assertThat(laptop.groups().info(org.reschat.core.ChatId.group("AAAAAAAAAAAAAAAAAAAAAA"))).isEmpty();
    // Left on the laptop: left on the phone too.
    laptop.groups().leave(trip);
    phone.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
    assertThat(phone.groups().info(trip)).hasValueSatisfying(g -> assertThat(g.status())
        .isEqualTo(org.reschat.core.GroupInfo.Status.LEFT));
    assertThatThrownBy(() -> phone.devices().tellOtherDevices("GROUP", utf8("{}"), null))
        .isInstanceOf(InvalidMessageException.class);
  }

  /**
   * A group state over a message's 16 KiB (64 members, several epochs) still reaches the other devices: written
   * once as the chunks of a file under a fresh key, {@code SELF_GROUP} naming the key and the chunks' hash.
   */
  @Test
  void aGroupStateOverAMessageReachesTheOtherDevicesWhole() throws Exception {
    InMemoryLocalState phoneState = new InMemoryLocalState();
    ChatClient phone = client(alice, phoneState, bob.card());
    ChatClient laptop = link(phone, "laptop");
    List<PublicCard> members = new java.util.ArrayList<>(List.of(bob.card()));
    for (int i = members.size(); i < org.reschat.core.internal.group.Groups.MAX_MEMBERS - 1; i++) {
      members.add(TestIdentities.named("member " + i).card());
    }
    org.reschat.core.ChatId.Group big = phone.groups().create("big", members);
    phone.groups().setAdmin(big, members.get(1), true);
    phone.groups().setAdmin(big, members.get(2), true);
    assertThat(phoneState.group(big.id()).orElseThrow().length())
        .isGreaterThan(org.reschat.core.internal.page.PageLimits.MAX_MESSAGE_BYTES);
    java.util.List<org.reschat.core.Event> got = new java.util.ArrayList<>();
    laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), got::add);
    assertThat(got).anyMatch(e -> e instanceof org.reschat.core.Event.GroupJoined j && j.in().equals(big));
    org.reschat.core.GroupInfo there = laptop.groups().info(big).orElseThrow();
    assertThat(there.epoch()).isEqualTo(phone.groups().info(big).orElseThrow().epoch());
    assertThat(there.members()).hasSize(org.reschat.core.internal.group.Groups.MAX_MEMBERS);
    assertThat(there.admins()).contains(members.get(1), members.get(2));
  }

  /**
   * A hostile ledger cannot make a device take a state other than the one its sibling wrote: the chunks are
   * sealed under a key only the self channel carries and pinned by their hash; a chunk replaced or
   * longer than any chunk, or a size over the bound, changes nothing, and nothing over the bound is read.
   */
  @Test
  void aGroupStateTheLedgerReplacedOrBloatedIsNotTaken() throws Exception {
    java.security.SecureRandom random = new java.security.SecureRandom();
    byte[] big = new byte[40_000];
    random.nextBytes(big);
    String sealed = org.reschat.core.internal.crypto.Base64Url.encode(big);
    byte[] body = SelfChannel.groupBody(store, "rmeqDi0zmm-6HjqYw2FsWH99", sealed, random);
    assertThat(body.length).isLessThan(org.reschat.core.internal.page.PageLimits.MAX_MESSAGE_BYTES);
    assertThat(SelfChannel.group(store, body)).hasValueSatisfying(g -> assertThat(g).containsExactly(
        "rmeqDi0zmm-6HjqYw2FsWH99", sealed));
    // Small states stay inline, as before.
    assertThat(SelfChannel.group(store, SelfChannel.groupBody(store, "rmeqDi0zmm-6HjqYw2FsWH99", "AQIDBA", random)))
        .hasValueSatisfying(g -> assertThat(g[1]).isEqualTo("AQIDBA"));
    com.google.gson.JsonObject ref = com.google.gson.JsonParser.parseString(new String(body, StandardCharsets.UTF_8))
        .getAsJsonObject().getAsJsonObject("file");
    byte[] key = org.reschat.core.internal.crypto.Base64Url.decode(ref.get("key").getAsString()).orElseThrow();
    String chunk = org.reschat.core.internal.files.FileLayout.location(key, 0);
    String original = store.get(chunk).orElseThrow();
    // Replaced by another state sealed under the same key (as the writer would have): its hash differs.
    byte[] other = SelfChannel.groupBody(store, "rmeqDi0zmm-6HjqYw2FsWH99", sealed.replace('A', 'B'), random);
    com.google.gson.JsonObject otherRef = com.google.gson.JsonParser.parseString(new String(other, StandardCharsets.UTF_8))
        .getAsJsonObject().getAsJsonObject("file");
    store.put(chunk, "AAAA");
    assertThat(SelfChannel.group(store, body)).isEmpty();
    store.put(chunk, "A".repeat(org.reschat.core.internal.files.FileLayout.MAX_CHUNK_VALUE_CHARS + 4));
    assertThat(SelfChannel.group(store, body)).isEmpty();
    byte[] otherKey = org.reschat.core.internal.crypto.Base64Url.decode(otherRef.get("key").getAsString()).orElseThrow();
    store.put(chunk, store.get(org.reschat.core.internal.files.FileLayout.location(otherKey, 0)).orElseThrow());
    assertThat(SelfChannel.group(store, body)).isEmpty();
    store.put(chunk, original);
    assertThat(SelfChannel.group(store, body)).isPresent();
    // A size over the bound is refused before anything is read or allocated.
    String bloated = new String(body, StandardCharsets.UTF_8).replace("\"size\":" + ref.get("size").getAsLong(),
        "\"size\":" + (SelfChannel.MAX_GROUP_STATE_BYTES + 1));
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    org.reschat.kv.KvStore counting = new org.reschat.kv.ForwardingKvStore(store) {
      @Override
      public java.util.Optional<String> get(String k) throws org.reschat.kv.KvException {
        reads.incrementAndGet();
        return super.get(k);
      }
    };
    assertThat(SelfChannel.group(counting, bloated.getBytes(StandardCharsets.UTF_8))).isEmpty();
    // Neither inline nor by file, or both: not a state.
    assertThat(SelfChannel.group(counting, utf8("{\"v\":1,\"group\":\"rmeqDi0zmm-6HjqYw2FsWH99\"}"))).isEmpty();
    String both = new String(body, StandardCharsets.UTF_8).replace("\"file\":", "\"state\":\"AQIDBA\",\"file\":");
    assertThat(SelfChannel.group(counting, both.getBytes(StandardCharsets.UTF_8))).isEmpty();
    assertThat(reads).hasValue(0);
    assertThat(SelfChannel.group(counting, body)).isPresent();
    assertThat(reads).hasValue(1);
  }

  /**
   * A ledger that withholds the chunks of a group state told by file only delays it: the device takes nothing
   * while a chunk is missing, hands on none of the self channel's changes from there on and marks none read, and
   * takes the group, with the changes told after it, once the chunks are served (was: the change was marked read
   * and the group never reached the device). While it waits, each look costs one read: the chunk it waits for.
   */
  @Test
  void aGroupStateWhoseChunksTheLedgerWithholdsIsTakenOnceTheyAreServed() throws Exception {
    java.util.Set<String> plainPuts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.Set<String> withheld = java.util.concurrent.ConcurrentHashMap.newKeySet();
    org.reschat.kv.KvStore recording = new org.reschat.kv.ForwardingKvStore(store) {
      @Override
      public void put(String key, String value) throws org.reschat.kv.KvException {
        plainPuts.add(key); // a state's chunks are plain puts; pages are conditional ones
        super.put(key, value);
      }

      @Override
      public org.reschat.kv.PutIfUnchanged putIfUnchanged(String key, java.util.Optional<String> expected, String value)
          throws org.reschat.kv.KvException {
        return store.putIfUnchanged(key, expected, value);
      }
    };
    java.util.concurrent.atomic.AtomicInteger laptopReads = new java.util.concurrent.atomic.AtomicInteger();
    org.reschat.kv.KvStore withholding = new org.reschat.kv.ForwardingKvStore(store) {
      @Override
      public java.util.Optional<String> get(String key) throws org.reschat.kv.KvException {
        laptopReads.incrementAndGet();
        return withheld.contains(key) ? java.util.Optional.empty() : super.get(key);
      }
    };
    InMemoryLocalState phoneState = new InMemoryLocalState();
    List<PublicCard> bobOnly = List.of(bob.card());
    try (TestClients phoneSide = new TestClients(recording, clock); TestClients laptopSide = new TestClients(withholding, clock)) {
      ChatClient phone = phoneSide.client(alice, phoneState, () -> bobOnly);
      Devices.LinkOffer offer = phone.devices().offer();
      DeviceJoin join = DeviceJoin.start(store, offer.code(), "laptop", clock);
      phone.devices().approve(offer, phone.devices().request(offer).orElseThrow(), new byte[0]);
      InMemoryLocalState laptopState = new InMemoryLocalState();
      DeviceJoin.Joined joined = join.poll().orElseThrow();
      joined.importInto(laptopState);
      ChatClient laptop = laptopSide.client(joined.identity(), laptopState, () -> bobOnly);
      List<PublicCard> members = new java.util.ArrayList<>(List.of(bob.card()));
      for (int i = members.size(); i < org.reschat.core.internal.group.Groups.MAX_MEMBERS - 1; i++) {
        members.add(TestIdentities.named("member " + i).card());
      }
      plainPuts.clear();
      org.reschat.core.ChatId.Group big = phone.groups().create("big", members);
      phone.groups().setAdmin(big, members.get(1), true);
      phone.groups().setAdmin(big, members.get(2), true);
      assertThat(phoneState.group(big.id()).orElseThrow().length())
          .isGreaterThan(org.reschat.core.internal.page.PageLimits.MAX_MESSAGE_BYTES);
      withheld.addAll(plainPuts);
      phone.devices().tellOtherDevices("FRIEND", utf8("{\"nickname\":\"told after the group\"}"), null);

      List<org.reschat.core.Event> whileWithheld = new java.util.ArrayList<>();
      laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), whileWithheld::add);
      // the states told inline (the group as created) are taken; the ones told by file are not, while withheld
      assertThat(laptop.groups().info(big).map(org.reschat.core.GroupInfo::admins).orElse(List.of()))
          .doesNotContain(members.get(1), members.get(2));
      assertThat(whileWithheld).noneMatch(e -> e instanceof org.reschat.core.Event.FromOtherDevice);
      // Looking again while it is still withheld costs one read (the chunk it waits for), not the channel and
      // the chunks before it once more at every pass.
      for (int look = 0; look < 3; look++) {
        laptopReads.set(0);
        assertThat(laptop.devices().fromOtherDevices()).isEmpty();
        assertThat(laptopReads).as("look %d", look).hasValue(1);
      }

      withheld.clear();
      List<org.reschat.core.Event> served = new java.util.ArrayList<>();
      laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), served::add);
      assertThat(laptop.groups().info(big).orElseThrow().admins()).contains(members.get(1), members.get(2));
      assertThat(laptop.groups().info(big).orElseThrow().epoch()).isEqualTo(phone.groups().info(big).orElseThrow().epoch());
      assertThat(served).filteredOn(e -> e instanceof org.reschat.core.Event.FromOtherDevice).hasSize(1);
      List<org.reschat.core.Event> again = new java.util.ArrayList<>();
      laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), again::add);
      assertThat(again).noneMatch(e -> e instanceof org.reschat.core.Event.FromOtherDevice);
    }
  }

  /**
   * A friend who is a group's admin rotating it again and again (remove a member, add them back) does not make
   * this device write the group's whole state each time: it tells its other devices only the epochs it started,
   * and the other device follows the friend's epochs itself (was: every new epoch seen in a receive pass was
   * told, and a state over a message is told by file, so a 64-member group's rotations cost each device about
   * 12 KB more per epoch, growing with every one).
   */
  @Test
  void aFriendsRotationsAreFollowedByEachDeviceAndNotToldAgain() throws Exception {
    java.util.concurrent.atomic.AtomicInteger chunkWrites = new java.util.concurrent.atomic.AtomicInteger();
    org.reschat.kv.KvStore counting = new org.reschat.kv.ForwardingKvStore(store) {
      @Override
      public void put(String key, String value) throws org.reschat.kv.KvException {
        chunkWrites.incrementAndGet(); // a state told by file is plain puts; pages are conditional ones
        super.put(key, value);
      }

      @Override
      public org.reschat.kv.PutIfUnchanged putIfUnchanged(String key, java.util.Optional<String> expected, String value)
          throws org.reschat.kv.KvException {
        return store.putIfUnchanged(key, expected, value);
      }
    };
    List<PublicCard> bobOnly = List.of(bob.card());
    try (TestClients phoneSide = new TestClients(counting, clock)) {
      ChatClient phone = phoneSide.client(alice, new InMemoryLocalState(), () -> bobOnly);
      ChatClient laptop = link(phone, "laptop");
      List<PublicCard> aliceOnly = List.of(alice.card());
      ChatClient b = clients.client(bob, new InMemoryLocalState(), () -> aliceOnly);
      List<PublicCard> members = new java.util.ArrayList<>(List.of(alice.card()));
      for (int i = members.size(); i < org.reschat.core.internal.group.Groups.MAX_MEMBERS - 1; i++) {
        members.add(TestIdentities.named("member " + i).card());
      }
      org.reschat.core.ChatId.Group g = b.groups().create("g", members);
      phone.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
      laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
      PublicCard spare = members.get(5);
      for (int round = 1; round <= 3; round++) {
        b.groups().remove(g, spare);
        b.groups().add(g, spare, false);
        chunkWrites.set(0);
        phone.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
        assertThat(chunkWrites).as("round %d: plain puts the phone made", round).hasValue(0);
        laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
        String epoch = b.groups().info(g).orElseThrow().epoch();
        assertThat(phone.groups().info(g).orElseThrow().epoch()).isEqualTo(epoch);
        assertThat(laptop.groups().info(g).orElseThrow().epoch()).as("the laptop follows the friend's epochs itself")
            .isEqualTo(epoch);
      }
    }
  }

  /**
   * The epoch a device starts in a receive pass (the admin's client handling a member's leave) wraps its key for
   * nobody of its own identity, so that one it still tells: the other device holds the new epoch.
   */
  @Test
  void anEpochStartedInAReceivePassIsToldToTheOtherDevices() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient laptop = link(phone, "laptop");
    List<PublicCard> aliceOnly = List.of(alice.card());
    ChatClient b = clients.client(bob, new InMemoryLocalState(), () -> aliceOnly);
    org.reschat.core.ChatId.Group g = phone.groups().create("trip",
        List.of(bob.card(), TestIdentities.named("carol").card()));
    laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
    b.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
    String before = phone.groups().info(g).orElseThrow().epoch();
    b.groups().leave(g);
    phone.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
    String after = phone.groups().info(g).orElseThrow().epoch();
    assertThat(after).as("the phone started the epoch after bob left").isNotEqualTo(before);
    laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
    assertThat(laptop.groups().info(g).orElseThrow().epoch()).isEqualTo(after);
  }

  /**
   * A group one device joined reaches the other with how far it was read there: what the first device
   * received in it, the other does not receive again, even when read positions of other chats came first.
   */
  @Test
  void aGroupTakenFromAnotherDeviceStartsAtTheReadPositionsTheOtherDeviceHad() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient laptop = link(phone, "laptop");
    List<PublicCard> aliceOnly = List.of(alice.card());
    ChatClient b = clients.client(bob, new InMemoryLocalState(), () -> aliceOnly);
    b.send(org.reschat.core.ChatId.direct(alice.card()), "a direct message first");
    phone.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> { });
    org.reschat.core.ChatId.Group trip = b.groups().create("trip", List.of(alice.card()));
    b.send(trip, "read on the phone 1");
    b.send(trip, "read on the phone 2");
    java.util.List<String> onPhone = new java.util.ArrayList<>();
    phone.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> {
      if (e instanceof org.reschat.core.Event.MessageReceived m) {
        onPhone.add(m.message().text());
      }
    });
    assertThat(onPhone).contains("read on the phone 1", "read on the phone 2");
    b.send(trip, "new for both");
    java.util.List<String> atLaptop = new java.util.ArrayList<>();
    java.util.List<org.reschat.core.Event> events = new java.util.ArrayList<>();
    laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> {
      events.add(e);
      if (e instanceof org.reschat.core.Event.MessageReceived m) {
        atLaptop.add(m.message().text());
      }
    });
    assertThat(events).anyMatch(e -> e instanceof org.reschat.core.Event.GroupJoined j && j.in().equals(trip));
    assertThat(atLaptop).containsExactly("new for both");
    assertThat(laptop.history(trip, org.reschat.core.HistoryRequest.all()).messages())
        .extracting(m -> m.text()).contains("read on the phone 1", "read on the phone 2", "new for both");
  }

  @Test
  void whatOneDeviceDeliveredTheOthersDoNotDeliverAgain() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient laptop = link(phone, "laptop");
    List<PublicCard> aliceOnly = List.of(alice.card());
    ChatClient b = clients.client(bob, new InMemoryLocalState(), () -> aliceOnly);
    org.reschat.core.ChatId toAlice = org.reschat.core.ChatId.direct(alice.card());
    for (int i = 0; i < 3; i++) {
      b.send(toAlice, "read on the phone " + i);
    }
    assertThat(phone.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> {}).messages()).isEqualTo(3);
    assertThat(laptop.devices().fromOtherDevices()).isEmpty(); // read positions are the client's own: applied
    b.send(toAlice, "new for both");
    List<String> atLaptop = new java.util.ArrayList<>();
    laptop.receiver().receive(org.reschat.core.Receiver.Scope.everything(), e -> {
      if (e instanceof org.reschat.core.Event.MessageReceived) {
        atLaptop.add(((org.reschat.core.Event.MessageReceived) e).message().text());
      }
    });
    assertThat(atLaptop).containsExactly("new for both");
    // And the history still holds everything.
    assertThat(laptop.history(org.reschat.core.ChatId.direct(bob.card()), org.reschat.core.HistoryRequest.all()).messages()
        .stream().filter(m -> m.text().startsWith("read on the phone") || m.text().equals("new for both"))).hasSize(4);
    assertThatThrownBy(() -> phone.devices().tellOtherDevices("READ", utf8("{}"), null))
        .isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void aRevokedDevicesLaterChangesReachNobody() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient laptop = link(phone, "laptop");
    ChatClient tablet = link(phone, "tablet");
    phone.devices().revoke(1);
    // The laptop has not read the revocation yet (its kept list is fresh), so it writes.
    assertThat(laptop.devices().tellOtherDevices("FRIEND", utf8("after"), null)).isTrue();
    phone.devices().tellOtherDevices("FRIEND", utf8("from the phone"), null);
    assertThat(bodies(phone.devices().fromOtherDevices())).isEmpty();
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactly("FRIEND from the phone");
  }

  @Test
  void aRevokedDeviceOpensNothingWrittenInTheSelfChannelAfterTheRotation() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient laptop = link(phone, "laptop");
    ChatClient tablet = link(phone, "tablet");
    phone.devices().tellOtherDevices("FRIEND", utf8("before"), null);
    phone.devices().revoke(1);
    phone.devices().tellOtherDevices("FRIEND", utf8("after, from the phone"), null);
    phone.groups().create("after the revocation", List.of(bob.card())); // SELF_GROUP, in the new epoch
    tablet.devices().fromOtherDevices(); // the tablet adopts the new epoch
    assertThat(tablet.groups().list()).extracting(g -> g.name()).contains("after the revocation");
    tablet.devices().tellOtherDevices("FRIEND", utf8("after, from the tablet"), null);
    // The thief holds every identity secret the laptop held and reads with a fresh client.
    Identity stolen = ((org.reschat.core.internal.feed.LedgerChatClient) laptop).identity();
    ChatClient thief = client(stolen, new InMemoryLocalState(), bob.card());
    assertThat(bodies(thief.devices().fromOtherDevices())).noneMatch(b -> b.contains("after"));
    assertThat(bodies(laptop.devices().fromOtherDevices())).noneMatch(b -> b.contains("after"));
    assertThat(thief.groups().list()).extracting(g -> g.name()).doesNotContain("after the revocation");
    assertThat(laptop.groups().list()).extracting(g -> g.name()).doesNotContain("after the revocation");
    // The remaining devices keep syncing, each in the new epoch.
    assertThat(bodies(phone.devices().fromOtherDevices())).containsExactly("FRIEND after, from the tablet");
    assertThat(bodies(tablet.devices().fromOtherDevices())).isEmpty();
    phone.devices().tellOtherDevices("FRIEND", utf8("later"), null);
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactly("FRIEND later");
    // A device linked after the rotation reads every change from page 1, the new epoch's too.
    ChatClient desk = link(phone, "desk");
    assertThat(bodies(desk.devices().fromOtherDevices())).contains("FRIEND before", "FRIEND after, from the phone",
        "FRIEND after, from the tablet", "FRIEND later");
    desk.devices().tellOtherDevices("FRIEND", utf8("from the desk"), null);
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactly("FRIEND from the desk");
    assertThat(bodies(thief.devices().fromOtherDevices())).noneMatch(b -> b.contains("desk") || b.contains("later"));
  }

  /** Revoking a revoked device again starts another self epoch: the retry when the first rotation failed. */
  @Test
  void revokingARevokedDeviceAgainRotatesTheSelfChannelOnceMore() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient laptop = link(phone, "laptop");
    ChatClient tablet = link(phone, "tablet");
    phone.devices().revoke(1);
    String first = currentEpoch(phone);
    assertThat(phone.devices().revoke(1).revoked()).isTrue();
    assertThat(currentEpoch(phone)).isNotEqualTo(first);
    phone.devices().tellOtherDevices("FRIEND", utf8("after the second rotation"), null);
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactly("FRIEND after the second rotation");
    assertThat(bodies(laptop.devices().fromOtherDevices())).noneMatch(b -> b.contains("second rotation"));
    assertThat(currentEpoch(tablet)).isEqualTo(currentEpoch(phone));
  }

  private static org.reschat.core.internal.feed.LedgerChatClient ledger(ChatClient client) {
    return (org.reschat.core.internal.feed.LedgerChatClient) client;
  }

  private static String currentEpoch(ChatClient client) throws Exception {
    return SelfChannel.current(ledger(client).identity(), ledger(client).engine().state()).id();
  }

  @Test
  void aSelfRotateNotWrittenByDeviceZeroIsRefused() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient laptop = link(phone, "laptop");
    ChatClient tablet = link(phone, "tablet");
    assertThatThrownBy(() -> laptop.devices().tellOtherDevices("ROTATE", utf8("{}"), null))
        .isInstanceOf(InvalidMessageException.class);
    // The laptop (a linked device's key, not device 0's) seals an epoch of its own to the tablet, correctly.
    Identity l = ledger(laptop).identity();
    byte[] t = new byte[32];
    java.util.Arrays.fill(t, (byte) 7);
    byte[] body = SelfChannel.rotateBody(l, t, java.util.Map.of(2, DeviceFixtures.deviceAgreementKeyOf(ledger(tablet))),
        org.reschat.core.internal.crypto.Hpke.standard());
    String before = currentEpoch(tablet);
    SelfChannel.write(ledger(laptop).engine(), l, SelfChannel.conversation(l), SelfChannel.ROTATE, body, null);
    laptop.devices().tellOtherDevices("FRIEND", utf8("x"), null);
    assertThat(bodies(tablet.devices().fromOtherDevices())).containsExactly("FRIEND x"); // the rotation is not handed on
    assertThat(currentEpoch(tablet)).isEqualTo(before).isEqualTo(SelfChannel.conversation(alice).id());
  }

  @Test
  void aSelfRotateSealedWrongOpensToNothing() throws Exception {
    ChatClient phone = client(alice, new InMemoryLocalState(), bob.card());
    ChatClient tablet = link(phone, "tablet");
    Identity tab = ledger(tablet).identity();
    byte[] dx = org.reschat.core.internal.identity.Secrets.of(tab).deviceAgreementSecret().orElseThrow();
    byte[] dxPub = DeviceFixtures.deviceAgreementKeyOf(ledger(tablet));
    byte[] t = new byte[32];
    java.util.Arrays.fill(t, (byte) 9);
    org.reschat.core.internal.crypto.Hpke hpke = org.reschat.core.internal.crypto.Hpke.standard();
    byte[] good = SelfChannel.rotateBody(alice, t, java.util.Map.of(1, dxPub), hpke);
    assertThat(SelfChannel.openRotate(tab, 1, dx, good)).hasValueSatisfying(v -> assertThat(v).isEqualTo(t));
    // Another epoch named than the one sealed (the aad differs), sealed to another key, to another number.
    String id = SelfChannel.conversation(alice, t.clone()).id();
    String otherId = SelfChannel.conversation(alice).id();
    byte[] renamed = new String(good, StandardCharsets.UTF_8).replace(id, otherId).getBytes(StandardCharsets.UTF_8);
    assertThat(SelfChannel.openRotate(tab, 1, dx, renamed)).isEmpty();
    byte[] toBob = SelfChannel.rotateBody(alice, t, java.util.Map.of(1, bob.card().encryptionKey()), hpke);
    assertThat(SelfChannel.openRotate(tab, 1, dx, toBob)).isEmpty();
    assertThat(SelfChannel.openRotate(tab, 2, dx, good)).isEmpty();
    // The epoch named is not the sealed secret's: sealed under the right aad, but for another secret's id.
    byte[] other = new byte[32];
    java.util.Arrays.fill(other, (byte) 3);
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("v", 1);
    o.addProperty("epoch", id);
    com.google.gson.JsonObject sealed = new com.google.gson.JsonObject();
    sealed.addProperty("1", org.reschat.core.internal.crypto.Base64Url.encode(
        hpke.seal(dxPub, SelfChannel.EPOCH_INFO, id.getBytes(StandardCharsets.UTF_8), other)));
    o.add("sealed", sealed);
    assertThat(SelfChannel.openRotate(tab, 1, dx, o.toString().getBytes(StandardCharsets.UTF_8))).isEmpty();
  }

  @Test
  void theSecretIsTheIdentitysOwnAndNoFriendsConversationUsesIt() {
    Identity laptop = DeviceFixtures.linked(alice, 1, "laptop");
    assertThat(SelfChannel.secret(laptop)).isEqualTo(SelfChannel.secret(alice)); // every device derives it
    assertThat(SelfChannel.secret(bob)).isNotEqualTo(SelfChannel.secret(alice));
    Conversation self = SelfChannel.conversation(alice);
    assertThat(self.members()).containsExactly(alice.card());
    assertThat(self.id()).isNotEqualTo(Conversation.pair(alice, bob.card()).id());
  }
}
