package org.reschat.core.internal.group;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.reschat.core.internal.crypto.Hkdf;
import org.reschat.core.identity.PublicCard;

/**
 * The epochs of a group as a graph: each names the epochs it follows. Concurrent changes make siblings,
 * which every member holding them all merges the same way (protocol.md §9 "Concurrent changes").
 */
final class EpochGraph {
  private static final byte[] MERGE_SALT = "reschat/v2 merge".getBytes(StandardCharsets.UTF_8);

  private EpochGraph() {}

  /** The epochs no other held epoch follows, sorted by id. */
  static List<Epoch> leaves(Group g) {
    Set<String> parents = new HashSet<>();
    g.epochs().forEach(e -> parents.addAll(e.parents()));
    List<Epoch> out = new ArrayList<>();
    for (Epoch e : g.epochs()) {
      if (!parents.contains(e.id())) {
        out.add(e);
      }
    }
    out.sort(Comparator.comparing(Epoch::id));
    return out;
  }

  /**
   * The epochs where ops may still arrive: the current one and those it follows (one, or the branches it
   * merged); while no admin has vouched for what this member was handed, every epoch it holds (an admin's
   * confirmation may come late, in the epoch the member joined).
   */
  static List<Epoch> watched(Group g) {
    if (!g.confirmed()) {
      List<Epoch> all = new ArrayList<>(g.epochs());
      java.util.Collections.reverse(all);
      return all;
    }
    List<Epoch> out = new ArrayList<>();
    out.add(g.current());
    for (String parent : g.current().parents()) {
      g.epoch(parent).ifPresent(out::add);
    }
    return out;
  }

  /** The newest epoch every leaf descends from (not a leaf itself): what every branch started from. */
  static Optional<Epoch> commonAncestor(Group g, List<Epoch> leaves) {
    List<Set<String>> lines = new ArrayList<>();
    for (Epoch leaf : leaves) {
      Set<String> line = new LinkedHashSet<>();
      ArrayDeque<Epoch> todo = new ArrayDeque<>(List.of(leaf));
      while (!todo.isEmpty() && line.size() <= GroupCodec.MAX_EPOCHS) {
        Epoch e = todo.pop();
        if (line.add(e.id())) {
          for (String p : e.parents()) {
            g.epoch(p).ifPresent(todo::push);
          }
        }
      }
      lines.add(line);
    }
    for (int i = g.epochs().size() - 1; i >= 0; i--) {
      String id = g.epochs().get(i).id();
      if (lines.stream().allMatch(l -> l.contains(id)) && leaves.stream().noneMatch(l -> l.id().equals(id))) {
        return Optional.of(g.epochs().get(i));
      }
    }
    return Optional.empty();
  }

  /**
   * The merge of sibling epochs {@code leaves} (sorted by id): {@code E_m = HKDF(E_1 ‖ E_2 ‖ …, "reschat/v2 merge",
   * "id_1+id_2+…", 32)}, so only a member of every branch derives it; members: everyone in some leaf except
   * anyone a branch dropped from their common ancestor (a removal in any branch holds, and beats a concurrent
   * add); admins: the leaves' admins still members; parents: the leaves.
   */
  static Epoch merge(Group g, List<Epoch> leaves) {
    ByteArrayOutputStream ikm = new ByteArrayOutputStream();
    List<String> parents = new ArrayList<>();
    for (Epoch leaf : leaves) {
      ikm.writeBytes(leaf.secret());
      parents.add(leaf.id());
    }
    byte[] secret = Hkdf.sha256(ikm.toByteArray(), MERGE_SALT,
        OpJson.joinParents(parents).getBytes(StandardCharsets.UTF_8), 32);
    Optional<Epoch> base = commonAncestor(g, leaves);
    List<PublicCard> members = new ArrayList<>();
    List<PublicCard> admins = new ArrayList<>();
    for (Epoch leaf : leaves) {
      for (PublicCard m : leaf.members()) {
        boolean droppedSomewhere = base.isPresent() && base.get().isMember(m)
            && leaves.stream().anyMatch(l -> !l.isMember(m));
        if (!droppedSomewhere && !members.contains(m)) {
          members.add(m);
        }
      }
    }
    for (Epoch leaf : leaves) {
      for (PublicCard a : leaf.admins()) {
        if (members.contains(a) && !admins.contains(a)) {
          admins.add(a);
        }
      }
    }
    return new Epoch(Epoch.idOf(secret), secret, members, admins, parents, Map.of());
  }

  /**
   * Whether {@code member} left (or was cut by an admin) in epoch {@code e} or one it follows: on the way
   * out. Not further back: a member removed long ago and added again is not "leaving" now.
   */
  static boolean leftOrCut(Group g, Epoch e, PublicCard member) {
    if (e.cutOf(member).isPresent()) {
      return true;
    }
    for (String parent : e.parents()) {
      if (g.epoch(parent).flatMap(p -> p.cutOf(member)).isPresent()) {
        return true;
      }
    }
    return false;
  }
}
