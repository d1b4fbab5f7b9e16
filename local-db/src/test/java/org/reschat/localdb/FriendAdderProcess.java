package org.reschat.localdb;

import java.nio.file.Path;
import org.reschat.core.identity.Identity;
import org.reschat.core.testing.TestIdentities;

/** A second process for {@link FriendListTest}: adds friends {@code prefix0..prefixN-1} to a profile. */
public final class FriendAdderProcess {
  private FriendAdderProcess() {}

  public static void main(String[] args) throws Exception {
    Profile profile = Profile.open(Path.of(args[0]));
    Identity me = TestIdentities.named("owner");
    int count = Integer.parseInt(args[2]);
    for (int i = 0; i < count; i++) {
      profile.friends().add(args[1] + i, TestIdentities.named(args[1] + i).card(), me.card());
    }
  }
}
