package org.reschat.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link KvKeys#isValid} accepts exactly the keys of 1 to 250 characters that its alphabet's pattern matches. */
class KvKeysTest {
  private static boolean byPattern(String key) {
    return key != null && !key.isEmpty() && key.length() <= KvKeys.MAX_LENGTH && KvKeys.SAFE.matcher(key).matches();
  }

  @Test
  void theBoundsAreThePatterns() {
    assertThat(KvKeys.isValid("rc2.AbC-_9~:.")).isTrue();
    assertThat(KvKeys.isValid("k".repeat(KvKeys.MAX_LENGTH))).isTrue();
    assertThat(KvKeys.isValid("k".repeat(KvKeys.MAX_LENGTH + 1))).isFalse();
    for (String refused : new String[] {"", "a/b", "a b", "a%20", "a+b", "é", "a\n", "a?b", "a#b", "[", "`", "{", "@"}) {
      assertThat(KvKeys.isValid(refused)).as(refused).isFalse();
    }
    assertThat(KvKeys.isValid(null)).isFalse();
    assertThatThrownBy(() -> KvKeys.requireValid("a/b")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void randomKeysAreAcceptedExactlyWhenThePatternMatchesThem() {
    String near = "azAZ09._~:-/`{@[\\^ %+é\u0000\u00ff";
    String safe = "aZ9._~:-";
    Random random = new Random(24);
    int accepted = 0;
    for (int i = 0; i < 50_000; i++) {
      int length = random.nextInt(KvKeys.MAX_LENGTH + 6);
      StringBuilder key = new StringBuilder();
      for (int j = 0; j < length; j++) {
        key.append(random.nextInt(100) < 99 ? safe.charAt(random.nextInt(safe.length())) : near.charAt(random.nextInt(near.length())));
      }
      boolean expected = byPattern(key.toString());
      accepted += expected ? 1 : 0;
      assertThat(KvKeys.isValid(key.toString())).as("%s", key).isEqualTo(expected);
    }
    assertThat(accepted).as("keys accepted among the tries").isGreaterThan(1_000);
  }
}
