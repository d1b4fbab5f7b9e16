package org.reschat.cli.bench;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.DeviceJoin;
import org.reschat.core.Devices;
import org.reschat.core.Receiver;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * Receiving after a device revocation (protocol §3.1): one person with {@value #FRIENDS} friends, each a real client,
 * links a laptop and revokes it, so every direct chat has a second epoch. Counts the keys of the person's idle
 * receive pass while the old epochs are read too (right after the revocation, before anyone moved on), and once
 * every friend took the new key and the old epochs are retired ("Retiring an epoch"): half, where every epoch was
 * read for good before; and the CPU of a live receive in one of those chats then.
 */
final class RevocationBench {
  static final int FRIENDS = 30;

  private final SecureRandom random = new SecureRandom();

  /** Bench's CPU medians of a send and of the {@code update} that receives it, alternating. */
  interface SendAndReceive {
    double[] medians(ChatClient sender, ChatId to, ChatClient receiver, ChatId from) throws Exception;
  }

  /**
   * The figures, into {@code out}; {@code cpu} measures {@code live_receive_cpu_us_after_revocation}, the person's
   * live receive of one friend's message once everyone moved on (both epochs' work on the code before).
   */
  void run(Map<String, Number> out, SendAndReceive cpu) throws Exception {
    MemoryKvStore memory = new MemoryKvStore();
    CountingKvStore counting = new CountingKvStore(memory);
    Identity alice = Identity.generate(random);
    List<ChatClient> friends = new ArrayList<>();
    List<PublicCard> cards = new ArrayList<>();
    try (ChatClient a = ChatClient.builder().identity(alice).store(counting).localState(new InMemoryLocalState())
        .contacts(() -> List.copyOf(cards)).build()) {
      for (int i = 0; i < FRIENDS; i++) {
        Identity f = Identity.generate(random);
        cards.add(f.card());
        friends.add(ChatClient.builder().identity(f).store(memory).localState(new InMemoryLocalState())
            .contacts(() -> List.of(alice.card())).build());
        friends.get(i).send(ChatId.direct(alice.card()), Bench.HUNDRED);
      }
      receive(a);
      link(a, memory);
      a.devices().revoke(1);
      receive(a);
      out.put("receive_keys_idle_two_epochs_30", idleKeys(a, counting));
      for (ChatClient f : friends) {
        receive(f); // takes the new key and writes there
      }
      receive(a); // sees each friend there and writes its notice there: the old epochs retire
      out.put("receive_keys_idle_after_revocation_30", idleKeys(a, counting));
      double[] medians = cpu.medians(friends.get(0), ChatId.direct(alice.card()), a, ChatId.direct(cards.get(0)));
      out.put("live_receive_cpu_us_after_revocation", Bench.round1(medians[1]));
    } finally {
      for (ChatClient f : friends) {
        f.close();
      }
    }
  }

  private static long idleKeys(ChatClient client, CountingKvStore counting) throws Exception {
    receive(client);
    CountingKvStore.Counts before = counting.counts();
    receive(client);
    CountingKvStore.Counts pass = counting.counts().minus(before);
    return pass.reads() + pass.batchKeys();
  }

  private static void receive(ChatClient client) throws Exception {
    client.receiver().receive(Receiver.Scope.everything(), e -> { });
  }

  /** Links a device to {@code first} as {@code device link} and {@code device join} do. */
  private static void link(ChatClient first, MemoryKvStore store) throws Exception {
    Devices.LinkOffer offer = first.devices().offer();
    DeviceJoin join = DeviceJoin.start(store, offer.code(), "laptop", Clock.systemUTC());
    first.devices().approve(offer, first.devices().request(offer).orElseThrow(), new byte[0]);
    join.poll().orElseThrow();
  }
}
