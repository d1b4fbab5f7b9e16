package org.reschat.core.internal.conversation;

/**
 * The one rule of whether an epoch of a direct chat is still <b>open for unsigned versions</b> in one client's view
 * (protocol §4.7): it is the newest epoch of the pair this client knows, and no device revocation of either person
 * that this client knows is newer than the epoch's start. A revoked device holds every secret of the epochs it knew
 * (and, for the writer's own device, the self seed): once a reader knows of it, only signed pages count there.
 *
 * <p>Each revocation starts exactly one later epoch of every direct chat of the person who revoked (§15.7 step 4),
 * and a device list names each revocation by the entry that made it; so "no revocation newer than the start" is:
 * each person has made no more revocations (distinct entries) than the epochs up to this one they started. A record
 * that does not say who started an epoch counts it for nobody, which only ever closes an epoch.
 */
public final class OpenEpoch {
  private OpenEpoch() {}

  /**
   * Whether the epoch at {@code place} is open, given how many revocations this client knows of its own identity
   * ({@code mine}) and of the friend's ({@code theirs}).
   */
  public static boolean open(PairEpochs.Place place, int mine, int theirs) {
    return place.newest() && mine <= place.startedByMe() && theirs <= place.startedByThem();
  }
}
