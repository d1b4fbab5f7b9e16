package org.reschat.core.internal.group;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.identity.Identity;
import org.reschat.core.internal.crypto.Hpke;
import org.reschat.core.testing.TestClients;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * The group the admin-link tests share: "club" of Alice (founder, admin), Bob (an admin she named) and Dave
 * (a plain member); Carol and Mallory are strangers. One store and clock; every client closed by {@link #close}.
 */
final class AdminsClub implements AutoCloseable {
  final Identity a = TestIdentities.named("alice");
  final Identity b = TestIdentities.named("bob");
  final Identity c = TestIdentities.named("carol");
  final Identity d = TestIdentities.named("dave");
  final Identity m = TestIdentities.named("mallory");
  final MemoryKvStore store = new MemoryKvStore();
  private final TestClients clients = new TestClients(store, TestClients.ticking(1_800_000_000_000L));
  final ChatClient alice = clients.client(a);
  final ChatClient bob = clients.client(b);
  final ChatClient carol = clients.client(c);
  final ChatClient dave = clients.client(d);
  final ChatClient mallory = clients.client(m);
  final String id;

  AdminsClub() throws Exception {
    id = groups(alice).create("club", List.of(b.card(), d.card())).id();
    bob.update(ChatId.direct(a.card()));
    dave.update(ChatId.direct(a.card()));
    groups(alice).setAdmin(of(alice), b.card(), true);
    update(bob, dave);
  }

  /** A device linked to {@code first}, holding what the link bundle hands over (the club with it). */
  ChatClient linkDevice(ChatClient first, String name) throws Exception {
    TestClients.Linked linked = clients.link(first, name);
    return clients.client(linked.identity(), linked.state());
  }

  static Groups groups(ChatClient who) {
    return TestClients.groups(who);
  }

  static GroupLinks links(ChatClient who) {
    return TestClients.groups(who).links();
  }

  /** The club as {@code who} holds it now. */
  Group of(ChatClient who) throws Exception {
    return groups(who).find(id).orElseThrow();
  }

  /** Each reads what is new in the club. */
  void update(ChatClient... who) throws Exception {
    for (ChatClient x : who) {
      groups(x).update(of(x));
    }
  }

  List<GroupLinks.JoinRequest> requests(ChatClient admin) throws Exception {
    return links(admin).requests(of(admin));
  }

  /** Writes {@code body} as a {@code GROUP_LINK} in {@code who}'s feed of the club's epoch {@code in}. */
  void write(ChatClient who, Identity as, Epoch in, byte[] body) throws Exception {
    TestClients.conversations(who).send(Group.conversation(as, in), Groups.LINK,
        "shared a join link".getBytes(StandardCharsets.UTF_8), body);
  }

  /** Every {@code GROUP_LINK} body {@code who} can read in the club, parsed. */
  List<GroupOp.Link> linkOps(ChatClient who) throws Exception {
    List<GroupOp.Link> out = new ArrayList<>();
    for (Message x : groups(who).history(of(who), HistoryRequest.all()).messages()) {
      if (x.type().equals(Groups.LINK)) {
        GroupOp.Link.parse(x.body()).ifPresent(out::add);
      }
    }
    return out;
  }

  /** A box sealed as an admin's client seals it, to {@code to}: {@code secret} for {@code link}. */
  static String seal(String groupId, JoinLink link, Identity to, byte[] secret) {
    return LinkSharing.sealBox(Hpke.standard(), groupId, link, secret, to.card());
  }

  /** Whether {@code who}'s keys open {@code box} as the box of {@code link}. */
  static boolean opens(String groupId, JoinLink link, Identity who, String box) {
    return LinkSharing.openBox(who, groupId, link, box).isPresent();
  }

  @Override
  public void close() {
    clients.close();
  }
}
