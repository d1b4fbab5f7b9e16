package org.reschat.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link DeviceRecords#checkName} accepts exactly what its documented pattern {@link DeviceRecords#NAME} matches. */
class DeviceRecordNameTest {
  private static boolean accepted(String name) {
    try {
      DeviceRecords.checkName(name);
      return true;
    } catch (IllegalArgumentException refused) {
      return false;
    }
  }

  @Test
  void theBoundsOfTheNameAreThePatterns() {
    assertThat(accepted("a")).isTrue();
    assertThat(accepted("list-" + "0123456789abcdef".repeat(4))).isTrue();
    assertThat(accepted("a".repeat(96))).isTrue();
    assertThat(accepted("a".repeat(97))).isFalse();
    for (String refused : new String[] {"", "1a", "-a", "A", "aB", "a_b", "a.b", "a/b", "a b", "a\n", "é", "`", "{"}) {
      assertThat(accepted(refused)).as(refused).isFalse();
    }
    assertThatThrownBy(() -> DeviceRecords.checkName(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void randomNamesAreAcceptedExactlyWhenThePatternMatchesThem() {
    String alphabet = "abyz0189-`{/:@[AZ_.é\u0000 ";
    Random random = new Random(24);
    int matched = 0;
    for (int i = 0; i < 50_000; i++) {
      int length = random.nextInt(100);
      StringBuilder name = new StringBuilder();
      for (int j = 0; j < length; j++) {
        // mostly the name's own characters, so long accepted names come up too
        name.append(random.nextInt(10) < 8 ? "abz09-".charAt(random.nextInt(6)) : alphabet.charAt(random.nextInt(alphabet.length())));
      }
      boolean matches = DeviceRecords.NAME.matcher(name).matches();
      matched += matches ? 1 : 0;
      assertThat(accepted(name.toString())).as("%s", name).isEqualTo(matches);
    }
    assertThat(matched).as("names the pattern matches, among the tries").isGreaterThan(1_000);
  }
}
