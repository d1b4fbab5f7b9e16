package org.reschat.core.internal.feed;

import org.reschat.core.FeedWarning;
import org.reschat.core.internal.page.Page;

/**
 * What the store holds at one page key: nothing, a page that opened and verified as that page of that
 * feed, or something rejected with the reason.
 */
record Fetched(long number, Page page, String value, FeedWarning.Kind problem, String detail) {

  static Fetched absent(long number) {
    return new Fetched(number, null, null, null, null);
  }

  static Fetched valid(long number, Page page, String value) {
    return new Fetched(number, page, value, null, null);
  }

  static Fetched rejected(long number, FeedWarning.Kind problem, String detail) {
    return new Fetched(number, null, null, problem, detail);
  }

  boolean isAbsent() {
    return page == null && problem == null;
  }

  boolean isValid() {
    return page != null;
  }
}
