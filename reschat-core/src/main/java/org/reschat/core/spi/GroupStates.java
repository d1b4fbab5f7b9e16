package org.reschat.core.spi;

import java.util.Optional;
import org.reschat.core.LocalStateException;

/**
 * Part of {@link LocalState}: each group's state, sealed by the caller under a key only this identity derives.
 * Thread-safe; each call atomic and durable before it returns.
 */
public interface GroupStates {
  /** A group's state, sealed by the caller, by group id; empty when this profile is in no such group. */
  Optional<String> group(String id) throws LocalStateException;
  /** Records a group's state, replacing the previous one. */
  void saveGroup(String id, String sealed) throws LocalStateException;
  /** The ids of every group recorded. */
  java.util.List<String> groupIds() throws LocalStateException;
  /**
   * Group invitations waiting for the member lists they name to reach the ledger, sealed by the caller as one
   * record; empty when none was ever recorded.
   */
  Optional<String> pendingInvitations() throws LocalStateException;
  /** Replaces the record of invitations waiting. */
  void savePendingInvitations(String sealed) throws LocalStateException;
}
