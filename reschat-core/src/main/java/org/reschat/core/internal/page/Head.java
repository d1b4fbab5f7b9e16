package org.reschat.core.internal.page;

import java.util.Arrays;

/**
 * A writer's view of another member's feed when it wrote a page: that feed's newest page, how many
 * messages it held, and the first 8 bytes of its {@link Page#hash()}. A reader whose store serves less
 * than some member saw reports the feed as withheld; one that holds a different version with the same
 * count has evidence of equivocation.
 */
public record Head(int member, long page, int slots, byte[] hash8) {
  public Head {
    if (hash8.length != PageLimits.HEAD_HASH_BYTES) { // the page's form has room for exactly these
      throw new IllegalArgumentException("A head's hash is " + PageLimits.HEAD_HASH_BYTES + " bytes, not " + hash8.length);
    }
    hash8 = hash8.clone();
  }

  @Override
  public byte[] hash8() {
    return hash8.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Head && ((Head) o).member == member && ((Head) o).page == page && ((Head) o).slots == slots
        && Arrays.equals(((Head) o).hash8, hash8);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(page) * 31 + member;
  }
}
