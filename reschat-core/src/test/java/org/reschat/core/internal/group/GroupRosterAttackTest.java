package org.reschat.core.internal.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.Event;
import org.reschat.core.FeedWarning;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.SettableClock;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.ForwardingKvStore;
import org.reschat.kv.KvException;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Issue 20: invitations (version 3) name their epochs' rosters on the ledger instead of carrying every card.
 * What a hostile member or a lagging ledger can do to a roster: withhold it (nothing is joined; the
 * invitation waits and is taken at the next receive), replace it (refused as forged, naming the sender),
 * make it huge (refused unread), or move one of another group or epoch there (refused).
 */
class GroupRosterAttackTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final MemoryKvStore store = new MemoryKvStore();
  /** Carol's view of the ledger: the same values, except keys a test hides (a replica that has not got them yet). */
  private final Hiding carolsLedger = new Hiding(store);
  private final SettableClock clock = new SettableClock(java.time.Instant.ofEpochMilli(1_800_000_000_000L));
  private final TestClients clients = new TestClients(store, clock);
  private final TestClients carolsClients = new TestClients(carolsLedger, clock);
  private final ChatClient alice = clients.client(a);
  private final ChatClient bob = clients.client(b);
  private final InMemoryLocalState carolsState = new InMemoryLocalState();
  private final ChatClient carol = carolsClients.client(c, carolsState);

  static final class Hiding extends ForwardingKvStore {
    final Set<String> hidden = ConcurrentHashMap.newKeySet();

    Hiding(MemoryKvStore delegate) {
      super(delegate);
    }

    @Override
    public Optional<String> get(String key) throws KvException {
      return hidden.contains(key) ? Optional.empty() : super.get(key);
    }
  }

  @AfterEach
  void close() {
    carolsClients.close();
    clients.close();
  }

  private Group seenBy(ChatClient who, Group g) throws Exception {
    return TestClients.groups(who).find(g.id()).orElseThrow();
  }

  private static String rosterOf(Group g, Epoch e) {
    return Roster.location(e.secret(), Roster.hash(g.id(), e));
  }

  @Test
  void aRosterNotOnTheLedgerYetJoinsNothingSaysSoAndIsTakenAtTheNextReceive() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
    carolsLedger.hidden.add(rosterOf(g, g.current()));

    List<FeedWarning> warnings = carol.update(ChatId.direct(a.card())).warnings();
    assertThat(warnings).anySatisfy(w -> {
      assertThat(w.kind()).isEqualTo(FeedWarning.Kind.MISSING);
      assertThat(w.writer()).isEqualTo(a.card());
      assertThat(w.detail()).contains("\"trip\"", "not on the ledger", "tries again");
    });
    assertThat(TestClients.groups(carol).find(g.id())).as("nothing joined half-way").isEmpty();
    assertThat(TestClients.groups(carol).invitationsWaiting(a.card())).isTrue();
    assertThat(carol.update(ChatId.direct(a.card())).warnings()).as("still missing: waiting, not warned twice")
        .noneMatch(w -> w.kind() == FeedWarning.Kind.MISSING);
    assertThat(TestClients.groups(carol).invitationsWaiting(a.card())).isTrue();

    // The roster arrives. Carol's next receive, in a new process on the same profile, with nothing new in
    // her chat with Alice, takes the invitation.
    carolsLedger.hidden.clear();
    ChatClient later = carolsClients.client(c, carolsState, () -> List.of(a.card()));
    List<Event> events = new ArrayList<>();
    later.receiver().receive(Receiver.Scope.everything(), events::add);
    assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOf(Event.GroupJoined.class));
    Group carols = seenBy(later, g);
    assertThat(carols.confirmed()).isTrue();
    assertThat(carols.members()).containsExactly(a.card(), b.card(), c.card());
    assertThat(TestClients.groups(later).invitationsWaiting(a.card())).isFalse();
  }

  @Test
  void nothingIsJoinedWhileOneOfTheEpochsItHandsOverLacksItsRoster() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card()));
    carolsLedger.hidden.add(rosterOf(g, g.current())); // the first epoch: history Carol is handed
    Group added = TestClients.groups(alice).add(seenBy(alice, g), c.card(), true);
    assertThat(added.epochs()).hasSize(2);

    assertThat(carol.update(ChatId.direct(a.card())).warnings()).anySatisfy(w ->
        assertThat(w.kind()).isEqualTo(FeedWarning.Kind.MISSING));
    assertThat(TestClients.groups(carol).find(g.id())).isEmpty();

    carolsLedger.hidden.clear();
    carol.update(ChatId.direct(a.card()));
    assertThat(seenBy(carol, g).epochs()).hasSize(2);
    assertThat(seenBy(carol, g).confirmed()).isTrue();
  }

  /** Bob, a member, replaces the roster Alice wrote with one that names him an admin, before Carol reads it. */
  @Test
  void aRosterThatIsNotTheOneNamedRefusesTheInvitationAsForgedNamingTheSender() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
    bob.update(ChatId.direct(a.card()));
    Epoch e = seenBy(bob, g).current();
    Epoch bobsAdmin = e.as(e.members(), List.of(b.card()), List.of());
    String location = rosterOf(g, e);
    store.put(location, Roster.sealedAt(location, e.secret(), Roster.plaintext(g.id(), bobsAdmin)));

    List<FeedWarning> warnings = carol.update(ChatId.direct(a.card())).warnings();
    assertThat(warnings).anySatisfy(w -> {
      assertThat(w.kind()).isEqualTo(FeedWarning.Kind.CONFLICT);
      assertThat(w.writer()).isEqualTo(a.card());
      assertThat(w.detail()).contains("forged", "hash differs", Groups.shortName(a.card()));
    });
    assertThat(TestClients.groups(carol).find(g.id())).isEmpty();
    assertThat(TestClients.groups(carol).invitationsWaiting(a.card())).as("refused, not waiting").isFalse();
  }

  @Test
  void anOversizeRosterIsRefusedUnread() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card(), c.card()));
    bob.update(ChatId.direct(a.card()));
    store.put(rosterOf(g, seenBy(bob, g).current()), "A".repeat(Roster.MAX_VALUE_CHARS + 1));

    assertThat(carol.update(ChatId.direct(a.card())).warnings()).anySatisfy(w -> {
      assertThat(w.kind()).isEqualTo(FeedWarning.Kind.CONFLICT);
      assertThat(w.detail()).contains("longer than any group's");
    });
    assertThat(TestClients.groups(carol).find(g.id())).isEmpty();
    assertThat(Roster.open(g.id(), g.current().secret(), Roster.hash(g.id(), g.current()),
        Optional.of("A".repeat(Roster.MAX_VALUE_CHARS + 1)))).isInstanceOf(Roster.Bad.class);
  }

  /** The roster of one group copied over another's: sealed to its own location and secret, it opens nowhere else. */
  @Test
  void aRosterOfAnotherGroupReplayedIsRefused() throws Exception {
    Group one = TestClients.groups(alice).create("one", List.of(b.card()));
    Group two = TestClients.groups(alice).create("two", List.of(b.card(), c.card()));
    store.put(rosterOf(two, two.current()), store.get(rosterOf(one, one.current())).orElseThrow());

    assertThat(carol.update(ChatId.direct(a.card())).warnings()).anySatisfy(w -> {
      assertThat(w.kind()).isEqualTo(FeedWarning.Kind.CONFLICT);
      assertThat(w.detail()).contains("does not open");
    });
    assertThat(TestClients.groups(carol).find(two.id())).isEmpty();
  }

  /**
   * Bob invites Carol to Alice's group with a roster that hashes right but names another group (his own
   * epoch's roster, written for another id): refused, naming Bob. And one for another epoch of the same
   * secret's group cannot be made: the epoch id is the secret's.
   */
  @Test
  void aRosterNamingAnotherGroupOrEpochIsRefused() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card()));
    bob.update(ChatId.direct(a.card()));
    Group real = seenBy(bob, g);
    Epoch made = Forgeries.epoch(List.of(b.card(), c.card()), List.of(b.card()), List.of());
    String otherId = Founder.draw(b.card(), new java.security.SecureRandom()).groupId();
    byte[] ofAnotherGroup = Roster.plaintext(otherId, made);
    byte[] ofAnotherEpoch = new String(Roster.plaintext(real.id(), made), java.nio.charset.StandardCharsets.UTF_8)
        .replace(made.id(), real.current().id()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (byte[] plaintext : List.of(ofAnotherGroup, ofAnotherEpoch)) {
      byte[] hash = Roster.hash(plaintext); // the hash the invitation names is the roster's: only its content is off
      String location = Roster.location(made.secret(), hash);
      store.put(location, Roster.sealedAt(location, made.secret(), plaintext));
      EpochCert cert = EpochCert.sign(b, real.id(), real.name(), made, real.trust().founder(), List.of());
      RosterInvite invite = new RosterInvite(real.id(), real.name(), real.trust().founder(),
          List.of(new RosterInvite.Ref(made.secret(), hash)), cert.signer(), List.of(), cert.signature());
      Forgeries.send(bob, c.card(), real.name(), invite.encode());

      assertThat(carol.update(ChatId.direct(b.card())).warnings()).anySatisfy(w -> {
        assertThat(w.kind()).isEqualTo(FeedWarning.Kind.CONFLICT);
        assertThat(w.writer()).isEqualTo(b.card());
        assertThat(w.detail()).contains("another group or epoch");
      });
      assertThat(TestClients.groups(carol).find(real.id())).isEmpty();
    }
  }

  /** A join welcome (version 3 too) whose roster is not there yet: nothing joined, said; the next join takes it. */
  @Test
  void aWelcomeWhoseRosterIsMissingJoinsNothingAndTheNextJoinTakesIt() throws Exception {
    Group g = TestClients.groups(alice).create("club", List.of(b.card()));
    String link = TestClients.groups(alice).links().link(g);
    assertThat(TestClients.groups(carol).links().join(link, "carol", true).requested()).isTrue();
    Group approved = TestClients.groups(alice).links().approve(seenBy(alice, g), c.card(), false);
    carolsLedger.hidden.add(rosterOf(approved, approved.current()));

    GroupLinks.JoinResult first = TestClients.groups(carol).links().join(link, "carol", false);
    assertThat(first.joined()).isEmpty();
    assertThat(first.warnings()).singleElement().satisfies(w -> {
      assertThat(w.kind()).isEqualTo(FeedWarning.Kind.MISSING);
      assertThat(w.detail()).contains("\"club\"", "not on the ledger");
    });
    assertThat(TestClients.groups(carol).find(g.id())).isEmpty();

    carolsLedger.hidden.clear();
    Group joined = TestClients.groups(carol).links().join(link, "carol", false).joined().orElseThrow();
    assertThat(joined.members()).containsExactly(a.card(), b.card(), c.card());
    assertThat(joined.confirmed()).isTrue();
  }

  /**
   * A store that takes no write: creating a group, or adding someone, fails before anything changes (the
   * roster is written first), instead of leaving a group whose invitations name a roster that is nowhere.
   */
  @Test
  void aStoreThatCannotTakeTheRosterLeavesNothingMadeOrChanged() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
    ForwardingKvStore flaky = new ForwardingKvStore(store) {
      @Override
      public void put(String key, String value) throws KvException {
        if (down.get()) {
          throw new org.reschat.kv.KvUnavailableException("down");
        }
        super.put(key, value);
      }
    };
    try (TestClients theirs = new TestClients(flaky, clock)) {
      ChatClient dana = theirs.client(TestIdentities.named("dana"));
      down.set(true);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestClients.groups(dana).create("trip",
          List.of(b.card()))).isInstanceOf(KvException.class);
      assertThat(TestClients.groups(dana).list()).isEmpty();

      down.set(false);
      Group g = TestClients.groups(dana).create("trip", List.of(b.card()));
      down.set(true);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestClients.groups(dana).add(g, c.card(), true))
          .isInstanceOf(KvException.class);
      assertThat(seenBy(dana, g).current().id()).isEqualTo(g.current().id());
      assertThat(seenBy(dana, g).members()).doesNotContain(c.card());
      assertThat(TestClients.conversations(dana).pending(TestClients.conversations(dana).conversationWith(c.card())))
          .as("no invitation queued").isZero();
    }
  }

  /** Version 2 invitations (every card in the body) are still read: a client of the previous release invites. */
  @Test
  void aVersion2InvitationIsStillTaken() throws Exception {
    Group g = TestClients.groups(alice).create("trip", List.of(b.card()));
    Group added = TestClients.groups(alice).add(seenBy(alice, g), c.card(), false);
    byte[] v2 = TestClients.groups(alice).invitations().build(added, false).encode();
    assertThat(new String(v2, java.nio.charset.StandardCharsets.UTF_8)).startsWith("{\"v\":2,");
    carolsLedger.hidden.add(rosterOf(added, added.current())); // the v3 one waits; the v2 one needs no roster
    Forgeries.send(alice, c.card(), g.name(), v2);
    carol.update(ChatId.direct(a.card()));
    assertThat(seenBy(carol, g).confirmed()).isTrue();
    assertThat(seenBy(carol, g).current().id()).isEqualTo(added.current().id());
  }
}
