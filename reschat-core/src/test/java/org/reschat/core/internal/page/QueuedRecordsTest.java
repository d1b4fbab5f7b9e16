package org.reschat.core.internal.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbox form of an open record page ({@link QueuedRecords}): bounded and checked before anything is opened. */
class QueuedRecordsTest {
  /** The form of an envelope: version 2 and more bytes than the AEAD's overhead (not a real seal: only the form). */
  private static final String ENVELOPE = "Ag" + "A".repeat(62);

  @Test
  void itHoldsItsRecordValuesInOrderAndCountsThemWithoutOpeningThem() throws Exception {
    String value = QueuedRecords.of(List.of("AgB" + "A".repeat(61), "AgC" + "A".repeat(61), "AgD" + "A".repeat(61)));
    assertThat(QueuedRecords.is(value)).isTrue();
    assertThat(QueuedRecords.slots(value)).isEqualTo(3);
    assertThat(QueuedRecords.parts(value)).containsExactly("AgB" + "A".repeat(61), "AgC" + "A".repeat(61), "AgD" + "A".repeat(61));
    Envelope.checkQueuedForm(value);
    assertThat(QueuedRecords.is(ENVELOPE)).as("a page sealed whole is no such value").isFalse();
  }

  @Test
  void aValueOfAnotherFormIsRefusedBeforeAnythingIsOpened() {
    String twentyOne = QueuedRecords.of(Collections.nCopies(21, ENVELOPE));
    assertThatThrownBy(() -> QueuedRecords.parts(twentyOne)).isInstanceOf(PageFormatException.class)
        .hasMessageContaining("more records than a page has slots");
    assertThatThrownBy(() -> QueuedRecords.checkForm(QueuedRecords.of(List.of(ENVELOPE, "")))).isInstanceOf(
        PageFormatException.class);
    assertThatThrownBy(() -> QueuedRecords.checkForm(QueuedRecords.of(List.of(ENVELOPE, "not base64!"))))
        .isInstanceOf(PageFormatException.class);
    String huge = QueuedRecords.of(List.of("Ag" + "A".repeat(PageLimits.MAX_VALUE_CHARS + 2)));
    assertThatThrownBy(() -> QueuedRecords.parts(huge)).isInstanceOf(PageFormatException.class)
        .hasMessageContaining("larger than any queued page");
    assertThatThrownBy(() -> Envelope.checkQueuedForm("records.")).isInstanceOf(PageFormatException.class);
  }
}
