package org.reschat.core.internal.page;

import org.reschat.core.FeedWarning;
import org.reschat.core.ReschatException;

/** A well-formed page that does not belong where it was found, or is not authentic. */
public final class PageRejectedException extends ReschatException {
  private static final long serialVersionUID = 1L;
  private final FeedWarning.Kind kind;

  public PageRejectedException(FeedWarning.Kind kind, String detail) {
    super(detail);
    this.kind = kind;
  }

  public FeedWarning.Kind kind() {
    return kind;
  }
}
