package org.reschat.core.internal.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link LedgerKeys}: a key is derived once and then kept, and what is kept stays bounded however many pages are read. */
class LedgerKeysTest {
  private final LedgerKeys keys = new LedgerKeys();
  private final AtomicInteger derivations = new AtomicInteger();

  private String key(String writer, long page, int slot) {
    return keys.get(writer, page, slot, () -> {
      derivations.incrementAndGet();
      return writer + "/" + page + "/" + slot;
    });
  }

  @Test
  void aKeyIsDerivedOnceAndEachPlaceKeepsItsOwn() {
    assertThat(key("w", 3, 0)).isEqualTo("w/3/0");
    assertThat(key("w", 3, 0)).isEqualTo("w/3/0");
    assertThat(key("w", 3, LedgerKeys.PAGE_KEY)).isEqualTo("w/3/20");
    assertThat(key("v", 3, 0)).isEqualTo("v/3/0");
    assertThat(key("w", 4, 0)).isEqualTo("w/4/0");
    assertThat(derivations.get()).isEqualTo(4);
  }

  @Test
  void aLongHistoryKeepsAtMostTheBoundAndStillAnswersRight() {
    for (long page = 1; page <= 10 * LedgerKeys.PAGES; page++) {
      assertThat(key("w", page, LedgerKeys.PAGE_KEY)).isEqualTo("w/" + page + "/20");
      assertThat(keys.positions()).isLessThanOrEqualTo(LedgerKeys.PAGES);
    }
    assertThat(key("w", 1, LedgerKeys.PAGE_KEY)).isEqualTo("w/1/20"); // forgotten, derived again: the same key
  }
}
