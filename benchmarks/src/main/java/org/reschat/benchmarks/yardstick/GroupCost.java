package org.reschat.benchmarks.yardstick;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.reschat.core.ChatClient;
import org.reschat.core.ChatId;
import org.reschat.core.identity.Identity;
import org.reschat.core.identity.PublicCard;
import org.reschat.core.spi.InMemoryLocalState;
import org.reschat.kv.memory.MemoryKvStore;

/**
 * The whole {@code ChatClient.send} into a group of N (memory store and state) and a member's live {@code update}
 * that receives it: CPU µs of every thread, the median over batches after the first third (README, "Then the
 * group send"). Where {@link Yardstick}'s group send is the page path alone, this is what the engine adds:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.reschat.benchmarks.yardstick.GroupCost 10 24 40
 * </pre>
 */
public final class GroupCost {
  private GroupCost() {}

  private static final com.sun.management.ThreadMXBean T = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
  private static long cpu() {
    long sum = 0;
    for (long t : T.getThreadCpuTime(T.getAllThreadIds())) {
      sum += Math.max(0, t);
    }
    return sum;
  }

  public static void main(String[] args) throws Exception {
    int members = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int batches = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 40;
    SecureRandom random = new SecureRandom();
    Identity alice = Identity.generate(random);
    Identity bob = Identity.generate(random);
    MemoryKvStore store = new MemoryKvStore();
    try (ChatClient sender = ChatClient.builder().identity(alice).store(store).localState(new InMemoryLocalState()).build();
        ChatClient receiver = ChatClient.builder().identity(bob).store(store).localState(new InMemoryLocalState()).build()) {
      receiver.send(ChatId.direct(alice.card()), "hi"); // friends: the invitation comes in their direct chat
      sender.update(ChatId.direct(bob.card()));
      List<PublicCard> others = new ArrayList<>(List.of(bob.card()));
      for (int i = 2; i < members; i++) {
        others.add(Identity.generate(random).card());
      }
      ChatId.Group group = sender.groups().create("measured", others);
      receiver.update(ChatId.direct(alice.card())); // takes the invitation
      String text = "x".repeat(100);
      List<Double> sends = new ArrayList<>();
      List<Double> receives = new ArrayList<>();
      for (int b = 0; b < batches; b++) {
        long sent = 0;
        long received = 0;
        for (int i = 0; i < batch; i++) {
          long t0 = cpu();
          sender.send(group, text);
          long t1 = cpu();
          if (receiver.update(group).received().size() != 1) {
            throw new IllegalStateException("the member did not receive exactly the message sent");
          }
          long t2 = cpu();
          sent += t1 - t0;
          received += t2 - t1;
        }
        if (b >= batches / 3) { // the first third warms up
          sends.add(sent / 1e3 / batch);
          receives.add(received / 1e3 / batch);
        }
      }
      System.out.printf(Locale.ROOT, "group of %d: whole send %.0f us, live receive %.0f us (medians of %d batches of %d)%n",
          members, median(sends), median(receives), sends.size(), batch);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
