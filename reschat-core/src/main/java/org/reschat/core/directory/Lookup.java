package org.reschat.core.directory;

import java.util.List;

/**
 * What a name lookup found: every valid claimant, in board order (never one picked for the caller), and
 * how many values on the board were junk (unsigned, forged, withdrawn or for another name).
 */
public record Lookup(String name, List<Claimant> claimants, int junk) {
  public Lookup {
    claimants = List.copyOf(claimants);
  }
}
