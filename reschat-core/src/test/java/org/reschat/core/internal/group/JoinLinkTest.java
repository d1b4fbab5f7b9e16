package org.reschat.core.internal.group;

import org.reschat.core.testing.TestClients;
import org.reschat.core.internal.identity.Secrets;
import org.reschat.core.ChatId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.reschat.core.ChatClient;
import org.reschat.core.GroupException;
import org.reschat.core.HistoryRequest;
import org.reschat.core.Message;
import org.reschat.core.internal.crypto.Base64Url;
import org.reschat.core.identity.Identity;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.core.testing.TestIdentities;
import org.reschat.kv.memory.MemoryKvStore;

/** Joining by link with an admin's approval: etcd-chat's "!name to accept", done safely. */
class JoinLinkTest {
  private final Identity a = TestIdentities.named("alice");
  private final Identity b = TestIdentities.named("bob");
  private final Identity c = TestIdentities.named("carol");
  private final Identity m = TestIdentities.named("mallory");
  private final MemoryKvStore store = new MemoryKvStore();
  private final List<ChatClient> clients = new ArrayList<>();
  private final ChatClient alice = client(a);
  private final ChatClient bob = client(b);
  private final ChatClient carol = client(c);
  private final ChatClient mallory = client(m);

  private ChatClient client(Identity id) {
    ChatClient cl = ChatClient.builder().identity(id).store(store).localState(new InMemoryLocalState()).build();
    clients.add(cl);
    return cl;
  }

  @AfterEach
  void close() {
    clients.forEach(ChatClient::close);
  }

  private Group group() throws Exception {
    Group g = TestClients.groups(alice).create("club", List.of(b.card()));
    bob.update(ChatId.direct(a.card()));
    return g;
  }

  private static List<String> texts(List<Message> messages) {
    return messages.stream().filter(x -> x.type().equals(Message.TEXT)).map(Message::text).collect(Collectors.toList());
  }

  @Test
  void aRequestIsSeenByAdminsOnlyAndAnApprovedRequesterJoins() throws Exception {
    Group g = group();
    TestClients.groups(alice).send(g, "before carol");
    String link = TestClients.groups(alice).links().link(g);
    assertThat(link).startsWith("rcg1:");
    assertThat(TestClients.groups(carol).links().join(link, "carol", true).requested()).isTrue();
    List<GroupLinks.JoinRequest> asked = TestClients.groups(alice).links().requests(TestClients.groups(alice).find(g.id()).orElseThrow());
    assertThat(asked).singleElement().satisfies(r -> {
      assertThat(r.card()).isEqualTo(c.card());
      assertThat(r.name()).isEqualTo("carol");
    });
    assertThatThrownBy(() -> TestClients.groups(bob).links().requests(TestClients.groups(bob).find(g.id()).orElseThrow()))
        .isInstanceOf(GroupException.class).hasMessageContaining("admin");
    TestClients.groups(alice).links().approve(TestClients.groups(alice).find(g.id()).orElseThrow(), c.card(), false);
    Group joined = TestClients.groups(carol).links().join(link, "carol", false).joined().orElseThrow();
    assertThat(joined.members()).containsExactlyInAnyOrder(a.card(), b.card(), c.card());
    TestClients.groups(carol).send(joined, "hi, I am in");
    TestClients.groups(bob).update(TestClients.groups(bob).find(g.id()).orElseThrow());
    assertThat(texts(TestClients.groups(bob).history(TestClients.groups(bob).find(g.id()).orElseThrow(), HistoryRequest.all()).messages()))
        .contains("before carol", "hi, I am in");
    assertThat(texts(TestClients.groups(carol).history(joined, HistoryRequest.all()).messages())).doesNotContain("before carol");
    assertThat(TestClients.groups(alice).links().requests(TestClients.groups(alice).find(g.id()).orElseThrow())).isEmpty(); // a member now
  }

  @Test
  void sharedHistoryOnApproval() throws Exception {
    Group g = group();
    TestClients.groups(alice).send(g, "old news");
    String link = TestClients.groups(alice).links().link(g);
    TestClients.groups(carol).links().join(link, "carol", true);
    TestClients.groups(alice).links().approve(TestClients.groups(alice).find(g.id()).orElseThrow(), c.card(), true);
    Group joined = TestClients.groups(carol).links().join(link, "carol", false).joined().orElseThrow();
    assertThat(texts(TestClients.groups(carol).history(joined, HistoryRequest.all()).messages())).contains("old news");
  }

  @Test
  void aDeniedOrRevokedRequestIsNotShownAgain() throws Exception {
    Group g = group();
    String link = TestClients.groups(alice).links().link(g);
    TestClients.groups(carol).links().join(link, "carol", true);
    TestClients.groups(alice).links().deny(TestClients.groups(alice).find(g.id()).orElseThrow(), c.card());
    assertThat(TestClients.groups(alice).links().requests(TestClients.groups(alice).find(g.id()).orElseThrow())).isEmpty();
    assertThat(TestClients.groups(carol).links().join(link, "carol", false).joined()).isEmpty();

    String second = TestClients.groups(alice).links().link(TestClients.groups(alice).find(g.id()).orElseThrow());
    TestClients.groups(alice).links().revokeLinks(TestClients.groups(alice).find(g.id()).orElseThrow());
    TestClients.groups(mallory).links().join(second, "mallory", true);
    assertThat(TestClients.groups(alice).links().requests(TestClients.groups(alice).find(g.id()).orElseThrow())).isEmpty();
  }

  @Test
  void aRequestInSomeoneElsesNameAndAForgedWelcomeAreIgnored() throws Exception {
    Group g = group();
    String link = TestClients.groups(alice).links().link(g);
    JoinLink parsed = JoinLink.parse(link).orElseThrow();
    // Mallory holds the link: she posts a request claiming Carol's card, signed by herself.
    org.reschat.core.internal.crypto.Hpke hpke = org.reschat.core.internal.crypto.Hpke.standard();
    String claim = "{\"v\":1,\"card\":\"" + c.card() + "\",\"name\":\"carol\",\"sig\":\""
        + Base64Url.encode(Secrets.of(m).sign(new byte[] {1})) + "\"}";
    byte[] sealed = hpke.seal(parsed.boxPublic(), "reschat/v2 join request".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        parsed.requests().key(1).getBytes(java.nio.charset.StandardCharsets.UTF_8), claim.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    byte[] value = new byte[sealed.length + 1];
    value[0] = 2;
    System.arraycopy(sealed, 0, value, 1, sealed.length);
    store.put(parsed.requests().key(1), Base64Url.encode(value));
    store.put(parsed.requests().key(2), "junk on the board");
    TestClients.groups(carol).links().join(link, "carol", true); // the real Carol, after the junk
    assertThat(TestClients.groups(alice).links().requests(TestClients.groups(alice).find(g.id()).orElseThrow())).singleElement()
        .satisfies(r -> assertThat(r.card()).isEqualTo(c.card()));
    // Mallory, who has the link but not the box's private half, writes Carol a welcome to a group of hers.
    Group fake = TestClients.groups(mallory).create("fake", List.of());
    store.put(parsed.welcomeKey(c.card()), Base64Url.encode(new byte[] {2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
        13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33}));
    assertThat(TestClients.groups(carol).links().join(link, "carol", false).joined()).isEmpty();
    assertThat(TestClients.groups(carol).list()).isEmpty();
    assertThat(fake.members()).containsExactly(m.card());
  }
}
