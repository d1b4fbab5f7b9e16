package org.reschat.core.internal.feed;

import org.reschat.core.FeedWarning;
import org.reschat.core.internal.page.Page;

/**
 * What the store holds at one page key: nothing, a page that opened and verified as that page of that
 * feed, something rejected with the reason, or a tagged version held back ({@code heldBack}, protocol §4.7): one
 * that would verify but that tags no longer count in this reader's view.
 */
record Fetched(long number, Page page, String value, FeedWarning.Kind problem, String detail, Page heldBack) {

  static Fetched absent(long number) {
    return new Fetched(number, null, null, null, null, null);
  }

  static Fetched valid(long number, Page page, String value) {
    return new Fetched(number, page, value, null, null, null);
  }

  static Fetched rejected(long number, FeedWarning.Kind problem, String detail) {
    return new Fetched(number, null, null, problem, detail, null);
  }

  /**
   * A tagged version of page {@code number} that tags no longer count for in this reader's view, though they did
   * before the closing it learnt of: its writer's, written before it learnt of it too, or a revoked device's. It
   * is evidence of nothing yet, so it is neither shown nor reported: the writer signs its tail once it learns.
   * Rejected as {@code problem} wherever it is not looked at as such.
   */
  static Fetched heldBack(long number, Page tagged, String value, FeedWarning.Kind problem, String detail) {
    return new Fetched(number, null, value, problem, detail, tagged);
  }

  boolean isAbsent() {
    return page == null && problem == null;
  }

  boolean isValid() {
    return page != null;
  }

  boolean isHeldBack() {
    return heldBack != null;
  }
}
